// Starts a real kept process on a fresh SQLite database for a browser test.
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium } from "playwright-core";
import { SMTPServer } from "smtp-server";
import { simpleParser } from "mailparser";

export const PASSWORD = "correct horse battery staple";
const KEPT = process.env.KEPT_BIN ?? new URL("../../target/debug/kept", import.meta.url).pathname;

/// `config` is written to kept.toml in kept's working directory.
export async function startKept({ config = "" } = {}) {
  const dir = mkdtempSync(join(tmpdir(), "kept-browser-"));
  writeFileSync(join(dir, "kept.toml"), config);
  const env = {
    PATH: process.env.PATH,
    KEPT_DATABASE_URL: `sqlite://${dir}/kept.db`,
    KEPT_LISTEN: "127.0.0.1:0",
    KEPT_RATE_LIMIT_PER_MINUTE: "0",
  };
  for (const [email, role, name] of [["sanne@fiets.test", "agent", "Sanne"], ["olga@fiets.test", "owner", "Olga"]]) {
    const add = spawnSync(KEPT, ["user", "add", "--email", email, "--role", role, "--name", name, "--lang", "en", "--password-stdin"], {
      cwd: dir, env, input: PASSWORD + "\n",
    });
    if (add.status !== 0) throw new Error(`kept user add failed: ${add.stderr}`);
  }
  const child = spawn(KEPT, ["serve"], { cwd: dir, env, stdio: ["ignore", "pipe", "inherit"] });
  const base = await new Promise((resolve, reject) => {
    let seen = "";
    child.stdout.on("data", (chunk) => {
      seen += chunk;
      const match = seen.match(/kept is listening on (http:\/\/\S+)/);
      if (match) resolve(match[1]);
    });
    child.on("exit", (code) => reject(new Error(`kept exited with ${code}`)));
  });
  return {
    base,
    /// An API token for a staff member, as `kept token create` prints it.
    token(email) {
      const created = spawnSync(KEPT, ["token", "create", "--email", email], { cwd: dir, env });
      if (created.status !== 0) throw new Error(`kept token create failed: ${created.stderr}`);
      return created.stdout.toString().trim();
    },
    async stop() {
      child.kill("SIGTERM");
      await new Promise((resolve) => child.once("exit", resolve));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export function launchChromium() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
    headless: true,
    // This machine has no network but loopback; Chromium's background services must stay off.
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
      "--disable-component-update", "--disable-sync"],
  });
}

/// A real SMTP server on a free port that keeps what it receives, parsed.
export async function startMailSink() {
  const mails = [];
  const smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ["STARTTLS"],
    logger: false,
    onData(stream, session, callback) {
      simpleParser(stream).then((mail) => { mails.push(mail); callback(); }, callback);
    },
  });
  await new Promise((resolve) => smtp.listen(0, "127.0.0.1", resolve));
  return {
    url: `smtp://127.0.0.1:${smtp.server.address().port}`,
    mails,
    /// The first mail to `address` that `matches`, waiting up to ten seconds for it.
    async waitFor(address, matches = () => true) {
      for (let i = 0; i < 100; i++) {
        const mail = mails.find((m) => m.to.value.some((to) => to.address === address) && matches(m));
        if (mail) return mail;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      throw new Error(`no mail to ${address} arrived`);
    },
    close: () => new Promise((resolve) => smtp.close(resolve)),
  };
}
