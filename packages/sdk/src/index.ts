/**
 * @module @earshot/sdk
 * Client for Earshot and other Deepgram-compatible speech servers, for Node ≥ 20 and browsers: Web APIs only
 * (fetch, Web Streams, Blob, AbortSignal).
 *
 * Every failure is thrown as an `EarshotError`. The HTTP ones are `APIError` subclasses named after their
 * status; this package's `AuthenticationError`, `NotFoundError` and `PayloadTooLargeError` are those, not
 * the server-side classes of the same names in `@earshot/protocol`, which this package does not re-export.
 *
 * @example
 * import { EarshotClient, toSRT } from "@earshot/sdk";
 *
 * const client = new EarshotClient();
 * const response = await client.listen.v1.media.transcribeFile(audio, { utterances: true });
 * console.log(toSRT(response));
 *
 * // Every REST call also gives the response it came from, e.g. to log the server's request id:
 * const { data, requestId } = await client.listen.v1.media.transcribeFile(audio).withResponse();
 */
export type {
  Alternative,
  ApiKey,
  Channel,
  CreateKeyRequest,
  CreateKeyResponse,
  Entity,
  ErrorBody,
  FluxConfigureFailure,
  FluxConfigureSuccess,
  FluxConnected,
  FluxError,
  FluxListenOptionsInput,
  FluxServerMessage,
  FluxTurnEvent,
  FluxTurnInfo,
  FluxWord,
  GrantTokenRequest,
  GrantTokenResponse,
  IntentSegment,
  Intents,
  Job as JobInfo,
  JobAcceptedResponse,
  JobDeletedResponse,
  JobListResponse,
  JobStatus,
  JobSummary,
  KeyListResponse,
  KeyResponse,
  ListenAcceptedResponse,
  ListenMetadata,
  ListenOptionsInput,
  ListenResponse,
  ListenSummary,
  LiveConfigureFailure,
  LiveConfigureSuccess,
  LiveListenOptionsInput,
  LiveMetadata,
  LiveResults,
  LiveServerMessage,
  Member,
  MemberListResponse,
  MemberScopesResponse,
  MessageResponse,
  ModelInfo,
  ModelList,
  Paragraph,
  Paragraphs,
  Project,
  ProjectListResponse,
  ReadOptions,
  ReadRequest,
  ReadResponse,
  RequestListResponse,
  RequestLogEntry,
  RequestResponse,
  Role,
  Scope,
  SearchResult,
  SentimentSegment,
  Sentiments,
  SpeakCleared,
  SpeakFlushed,
  SpeakMetadata,
  SpeakOptionsInput,
  SpeakServerMessage,
  SpeakWarning,
  SpeechStarted,
  StatusResponse,
  SttModel,
  SummaryV1,
  TopicSegment,
  Topics,
  TtsModel,
  UpdateProjectRequest,
  UsageBreakdownResponse,
  UsageFieldsResponse,
  UsageGrouping,
  UsageResponse,
  Utterance,
  UtteranceEnd,
  Warning,
  Word,
} from "@earshot/protocol";
export {
  type CaptionOptions,
  EarshotError,
  ErrorCode,
  LiveCloseCode,
  LiveCloseReason,
  LiveStreamError,
  toSRT,
  toWebVTT,
} from "@earshot/protocol/core";
export { type ClientOptions, EarshotClient } from "./client.js";
export { APIPromise, type WithResponse } from "./core/api-promise.js";
export type { Listener } from "./core/emitter.js";
export {
  APIConnectionError,
  APIConnectionTimeoutError,
  APIError,
  type APIErrorDetails,
  APIUserAbortError,
  AuthenticationError,
  BadRequestError,
  InternalServerError,
  NotFoundError,
  PayloadTooLargeError,
  PermissionDeniedError,
  RateLimitError,
  UnprocessableEntityError,
} from "./core/errors.js";
export type { Fetch, HeaderValues, RequestOptions } from "./core/request.js";
export {
  type LiveCloseEvent,
  LiveConnection,
  type LiveConnectionEvents,
  type LiveConnectOptions,
} from "./live/connection.js";
export { FluxConnection, type FluxConnectionEvents, type FluxConnectOptions } from "./live/flux.js";
export { Auth, AuthV1, Tokens } from "./resources/auth.js";
export {
  type GatherOptions,
  Job,
  type JobEvents,
  JobFailedError,
  type JobListParams,
  type JobOutcome,
  type JobSource,
  Jobs,
  type JobWaitOptions,
} from "./resources/jobs.js";
export {
  type AudioSource,
  Listen,
  ListenMedia,
  type ListenRequestOptions,
  ListenV1,
  ListenV2,
  type TranscribeUrlParams,
} from "./resources/listen.js";
export {
  Breakdown,
  Fields,
  type KeyListParams,
  Keys,
  Manage,
  ManageV1,
  Members,
  ProjectModels,
  Projects,
  type RequestListParams,
  Requests,
  Scopes,
  Usage,
  type UsageBreakdownParams,
  type UsageFieldsParams,
  type UsageParams,
} from "./resources/manage.js";
export { Models } from "./resources/models.js";
export { Read, type ReadAnalyzeParams, ReadText } from "./resources/read.js";
export {
  Speak,
  SpeakAudio,
  type SpeakGenerateParams,
  SpeakResponse,
  SpeakV1,
} from "./resources/speak.js";
export {
  type SpeakCloseEvent,
  type SpeakConnectOptions,
  SpeakSocket,
  type SpeakSocketEvents,
} from "./speak/socket.js";
export { type VerifyWebhookOptions, verifyWebhook, type WebhookHeaders, WebhookVerificationError } from "./webhooks.js";
