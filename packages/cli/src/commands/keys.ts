/**
 * `earshot keys create|list|revoke`: API keys managed on the server's host, straight in its store (the data
 * directory's SQLite file, or Redis with `--redis`) — how the first admin key comes to exist, with no key to
 * call the API with yet. Everything after that can go through the API (`manage.v1.projects.keys`).
 */
import { SCOPES } from "@earshot/protocol";
import { Accounts, loadConfig } from "@earshot/server";
import { type Command, InvalidArgumentError, Option } from "commander";
import { integer } from "../flags.js";
import { addSettingFlags, type SettingFlag, settingSources } from "../setting-flags.js";

const STORE_FLAGS: SettingFlag[] = [
  { flags: "--data-dir <dir>", setting: "EARSHOT_DATA_DIR" },
  { flags: "--redis <url>", setting: "EARSHOT_REDIS_URL" },
  { flags: "--queue-prefix <prefix>", setting: "EARSHOT_QUEUE_PREFIX" },
];

async function withAccounts(opts: Record<string, unknown>, run: (accounts: Accounts) => Promise<void>): Promise<void> {
  const accounts = Accounts.open(loadConfig({}, settingSources(opts, STORE_FLAGS)).jobs);
  try {
    await run(accounts);
  } finally {
    await accounts.close();
  }
}

const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

function collectScope(value: string, previous: string[] = []): string[] {
  if (!(SCOPES as readonly string[]).includes(value)) {
    throw new InvalidArgumentError(`expected one of ${SCOPES.join(", ")}.`);
  }
  return [...previous, value];
}
const iso = (ms: number | null): string => (ms === null ? "never" : new Date(ms).toISOString());

export function registerKeys(program: Command): void {
  const keys = program.command("keys").description("API keys, on the server's host: create, list, revoke.");

  addSettingFlags(
    keys
      .command("create")
      .description("Create an API key and print it (it is shown this once; only its hash is kept).")
      .addOption(
        new Option("--scope <scope>", `a role or scope, repeat for several: ${SCOPES.join(", ")}`).argParser(
          collectScope,
        ),
      )
      .option("--comment <text>", "what the key is for", "created with earshot keys create")
      .option(
        "--project <name-or-id>",
        "its project, created when there is none of that name (default: the default project)",
      )
      .option("--email <email>", "the member it belongs to, added to the project as needed (default: the host)")
      .option("--ttl <seconds>", "expire after this many seconds", integer(1))
      .option("--tag <tag>", "a tag; repeat for several", collect),
    STORE_FLAGS,
  ).action(
    async (
      opts: Record<string, unknown> & {
        scope?: string[];
        comment: string;
        project?: string;
        email?: string;
        ttl?: number;
        tag?: string[];
      },
    ) =>
      withAccounts(opts, async (accounts) => {
        const { record, key, project } = await accounts.createHostKey({
          project: opts.project,
          email: opts.email,
          comment: opts.comment,
          scopes: opts.scope ?? ["member"],
          tags: opts.tag,
          expiresAt: opts.ttl === undefined ? null : Date.now() + opts.ttl * 1000,
        });
        process.stdout.write(`${key}\n`);
        process.stderr.write(
          `key ${record.id} (${record.scopes.join(", ")}) for project "${project.name}" ${project.id}, expires ${iso(record.expiresAt)}; the key is shown once.\n`,
        );
      }),
  );

  addSettingFlags(
    keys.command("list").description("List every project's keys (never their secrets)."),
    STORE_FLAGS,
  ).action(async (opts: Record<string, unknown>) =>
    withAccounts(opts, async (accounts) => {
      const projects = new Map((await accounts.projects()).map((p) => [p.id, p.name]));
      for (const key of await accounts.allKeys()) {
        const expired = key.expiresAt !== null && key.expiresAt <= Date.now() ? " (expired)" : "";
        process.stdout.write(
          `${key.id}  ${projects.get(key.projectId) ?? key.projectId}  ${key.scopes.join(",")}  expires ${iso(key.expiresAt)}${expired}  ${key.comment}\n`,
        );
      }
    }),
  );

  addSettingFlags(
    keys.command("revoke").description("Delete a key: it stops working at once.").argument("<key-id>"),
    STORE_FLAGS,
  ).action(async (id: string, opts: Record<string, unknown>) =>
    withAccounts(opts, async (accounts) => {
      if (!(await accounts.revokeKey(id))) throw new Error(`no key ${id}`);
      process.stdout.write(`${id} revoked\n`);
    }),
  );
}
