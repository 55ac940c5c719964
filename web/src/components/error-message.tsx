/** A failed call, as the SDK reports it: the server's message, its error code and the request id to quote. */
import { APIError, APIUserAbortError, EarshotError } from "@earshot/sdk";

export function describeError(error: unknown): { message: string; detail?: string } {
  if (error instanceof APIError) {
    return {
      message: error.message,
      detail: [error.code, error.requestId && `request ${error.requestId}`].filter(Boolean).join(" · "),
    };
  }
  if (error instanceof EarshotError) return { message: error.message, detail: error.code };
  if (error instanceof DOMException && error.name === "NotAllowedError") {
    return { message: "The browser did not allow access to the microphone." };
  }
  return { message: error instanceof Error ? error.message : String(error) };
}

export const wasCancelled = (error: unknown): boolean => error instanceof APIUserAbortError;

export function ErrorMessage(props: { error: unknown }) {
  if (props.error === undefined) return null;
  const { message, detail } = describeError(props.error);
  return (
    <div class="error" role="alert">
      <strong>{message}</strong>
      {detail && <small>{detail}</small>}
    </div>
  );
}
