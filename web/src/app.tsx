/**
 * The console's frame: the header with the views (a hash route each, so the page works under any path
 * prefix without server-side routing), the sign-in dialog when the server wants a key, and the context every
 * view reads its client and the installed models from.
 */
import type { EarshotClient, ModelList, StatusResponse } from "@earshot/sdk";
import { createContext } from "preact";
import { useCallback, useContext, useEffect, useRef, useState } from "preact/hooks";
import { ErrorMessage } from "./components/error-message.js";
import { anonymous, forgetKey, needsCredential, renewIn, type Session, signIn, storedKey } from "./session.js";
import { JobsView } from "./views/jobs.js";
import { LiveView } from "./views/live.js";
import { SpeakView } from "./views/speak.js";
import { StatusView } from "./views/status.js";
import { TranscribeView } from "./views/transcribe.js";

export interface Console {
  client: EarshotClient;
  models: ModelList | undefined;
  /** A view whose call was refused for want of credentials asks for them here. */
  unauthorised: (error: unknown) => boolean;
}

const ConsoleContext = createContext<Console | undefined>(undefined);

export function useConsole(): Console {
  const value = useContext(ConsoleContext);
  if (!value) throw new Error("useConsole outside the console");
  return value;
}

const VIEWS = [
  { path: "transcribe", label: "Transcribe", View: TranscribeView },
  { path: "live", label: "Live", View: LiveView },
  { path: "jobs", label: "Jobs", View: JobsView },
  { path: "speak", label: "Speak", View: SpeakView },
  { path: "status", label: "Status", View: StatusView },
] as const;

function currentView(): (typeof VIEWS)[number] {
  const path = location.hash.replace(/^#\/?/, "");
  return VIEWS.find((v) => v.path === path) ?? VIEWS[0];
}

export function App() {
  const [view, setView] = useState(currentView);
  const [session, setSession] = useState<Session>(anonymous);
  const [models, setModels] = useState<ModelList>();
  const [status, setStatus] = useState<StatusResponse>();
  const [askKey, setAskKey] = useState(false);
  const [ready, setReady] = useState(false);
  const heading = useRef<HTMLDivElement>(null);

  useEffect(() => {
    const onHash = () => {
      setView(currentView());
      heading.current?.focus();
    };
    addEventListener("hashchange", onHash);
    return () => removeEventListener("hashchange", onHash);
  }, []);

  // Start: a key from earlier in this tab, else none; a refusal opens the sign-in dialog.
  useEffect(() => {
    const key = storedKey();
    const start = key ? signIn(key) : Promise.resolve(anonymous());
    start
      .then(async (s) => {
        setSession(s);
        setModels(await s.client.models.list());
      })
      .catch((error: unknown) => {
        if (!needsCredential(error)) throw error;
        forgetKey();
        setAskKey(true);
      })
      .catch(() => {
        // The server is unreachable or failing: the status line says so, and each view reports its own calls.
      })
      .finally(() => setReady(true));
    anonymous()
      .client.status()
      .then(setStatus, () => {});
  }, []);

  // Tokens are renewed from the key before they expire.
  useEffect(() => {
    const delay = renewIn(session.credential);
    const key = storedKey();
    if (delay === undefined || !key) return;
    const timer = setTimeout(() => signIn(key).then(setSession, () => setAskKey(true)), delay);
    return () => clearTimeout(timer);
  }, [session]);

  const unauthorised = useCallback((error: unknown) => {
    if (!needsCredential(error)) return false;
    setAskKey(true);
    return true;
  }, []);

  const onSignedIn = async (s: Session) => {
    setSession(s);
    setAskKey(false);
    setModels(await s.client.models.list());
  };

  const { View } = view;
  return (
    <ConsoleContext.Provider value={{ client: session.client, models, unauthorised }}>
      {/* A button, not a link to #main: the hash is the view's route. */}
      <button type="button" class="skip" onClick={() => heading.current?.focus()}>
        Skip to content
      </button>
      <header class="top">
        <div class="brand">
          <svg viewBox="0 0 32 32" width="28" height="28" aria-hidden="true">
            <rect width="32" height="32" rx="7" fill="currentColor" />
            <path d="M8 20v-8M13 24V8M18 21v-10M23 18v-4" stroke="white" stroke-width="3" stroke-linecap="round" />
          </svg>
          <span>Earshot</span>
          {status && (
            <span class={`pill ${status.status}`} title={`Earshot ${status.version}`}>
              {status.status === "ok" ? "online" : status.status} · v{status.version}
            </span>
          )}
        </div>
        <nav aria-label="Views" class="views">
          {VIEWS.map((v) => (
            <a key={v.path} href={`#/${v.path}`} aria-current={v === view ? "page" : undefined}>
              {v.label}
            </a>
          ))}
        </nav>
        <div class="account">
          {session.credential.kind !== "none" && (
            <button
              type="button"
              class="link"
              onClick={() => {
                forgetKey();
                setSession(anonymous());
                setAskKey(true);
              }}
            >
              Sign out
            </button>
          )}
        </div>
      </header>
      <main id="main">
        <div class="view-title" tabIndex={-1} ref={heading}>
          <h1>{view.label}</h1>
        </div>
        {ready && <View key={view.path} />}
      </main>
      {askKey && <SignIn onSignedIn={onSignedIn} />}
    </ConsoleContext.Provider>
  );
}

/** A modal dialog (focus kept inside it, Escape does not dismiss it: nothing works without a key). */
function SignIn(props: { onSignedIn: (session: Session) => void }) {
  const dialog = useRef<HTMLDialogElement>(null);
  const [key, setKey] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  useEffect(() => {
    dialog.current?.showModal();
  }, []);
  return (
    <dialog ref={dialog} class="sign-in" aria-labelledby="sign-in-title" onCancel={(e) => e.preventDefault()}>
      <form
        method="dialog"
        onSubmit={async (e) => {
          e.preventDefault();
          setBusy(true);
          setError(undefined);
          try {
            props.onSignedIn(await signIn(key.trim()));
          } catch (failure) {
            setError(failure);
          } finally {
            setBusy(false);
          }
        }}
      >
        <h2 id="sign-in-title">This server needs an API key</h2>
        <p>
          It is kept in this tab only. Where the server grants them, the page trades it for a short-lived token and
          sends that instead.
        </p>
        <label for="api-key">API key</label>
        <input
          id="api-key"
          type="password"
          autocomplete="current-password"
          required
          value={key}
          onInput={(e) => setKey(e.currentTarget.value)}
        />
        <ErrorMessage error={error} />
        <div class="actions">
          <button type="submit" class="primary" disabled={busy || !key.trim()}>
            {busy ? "Checking…" : "Sign in"}
          </button>
        </div>
      </form>
    </dialog>
  );
}
