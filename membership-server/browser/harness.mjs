// What every browser test shares: Debian's chromium through playwright-core, a server of its
// own per test (a temporary SQLite database filled by `setup`, mail written as `.eml` files
// to a folder the test reads), sign-in by the mailed code, the invitation's join link, an
// axe-core pass and screenshots.
//
// MEMBERSHIP_SERVER_BIN names the server binary (run.sh sets it); MEMBERSHIP_CHROMIUM
// another browser than /usr/bin/chromium; MEMBERSHIP_SCREENSHOTS a folder to save one
// full-page PNG per `shot` in (none when unset).

import { execFileSync, spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { createRequire } from "node:module";
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { chromium } from "playwright-core";

const require = createRequire(import.meta.url);
const AXE_SOURCE = readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");

/** How long one browser step may wait (a click's navigation, an element showing up). */
const STEP_MS = 15000;

const sleep = (ms) => new Promise((done) => setTimeout(done, ms));

/** Polls `check` until it returns a truthy value (returned), or fails after `timeoutMs`. */
export async function waitFor(what, check, timeoutMs = STEP_MS) {
  const deadline = Date.now() + timeoutMs;
  let last;
  for (;;) {
    try {
      const value = await check();
      if (value) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? `: ${last.message}` : ""}`);
    await sleep(50);
  }
}

/** Debian's chromium, headless. The flags: as root it needs --no-sandbox, and without the
 * background-networking ones it keeps calling home on a network that has no way out. */
export function launch() {
  return chromium.launch({
    executablePath: process.env.MEMBERSHIP_CHROMIUM ?? "/usr/bin/chromium",
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
}

async function freePort() {
  const probe = createServer();
  await new Promise((done) => probe.listen(0, "127.0.0.1", done));
  const { port } = probe.address();
  await new Promise((done) => probe.close(done));
  return port;
}

/** The headers and body of one `.eml` file (lettre writes 7-bit plain text, CRLF lines). */
function parseMail(text) {
  const split = text.indexOf("\r\n\r\n");
  const head = split < 0 ? text : text.slice(0, split);
  const body = split < 0 ? "" : text.slice(split + 4).replace(/\r\n/g, "\n");
  const headers = {};
  for (const line of head.replace(/\r\n[ \t]+/g, " ").split("\r\n")) {
    const colon = line.indexOf(":");
    if (colon > 0) headers[line.slice(0, colon).toLowerCase()] = line.slice(colon + 1).trim();
  }
  return { to: headers.to ?? "", subject: headers.subject ?? "", body };
}

/**
 * A server over a new database: `setup --json` (organization, owner `owner@example.com`,
 * team customer `customer@example.com`, tokens), then `serve` on a free loopback port with
 * its public URL set to that port, so mailed links point at it.
 */
export async function startServer() {
  const bin = process.env.MEMBERSHIP_SERVER_BIN;
  assert.ok(bin, "set MEMBERSHIP_SERVER_BIN to the membership-server binary (run.sh does)");
  const dir = mkdtempSync(join(tmpdir(), "membership-browser-"));
  const mailDir = join(dir, "mail");
  const databaseUrl = `sqlite://${join(dir, "db")}`;
  const cli = (...args) => execFileSync(bin, ["--database-url", databaseUrl, ...args], { stdio: ["ignore", "pipe", "pipe"] }).toString();
  const setup = JSON.parse(cli("setup", "--json"));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const log = [];
  const child = spawn(
    bin,
    ["--database-url", databaseUrl, "serve", "--listen", `127.0.0.1:${port}`, "--mail-dir", mailDir, "--public-url", url],
    { stdio: ["ignore", "ignore", "pipe"], env: { ...process.env, RUST_LOG: process.env.RUST_LOG ?? "warn" } },
  );
  child.stderr.on("data", (chunk) => log.push(chunk.toString()));
  const exited = new Promise((done) => child.once("exit", done));
  await waitFor("the server's /health", async () => (await fetch(`${url}/health`)).ok);

  /** The names of the mail files so far: what a later `mail` call does not count. */
  const mailNames = () => {
    try {
      return new Set(readdirSync(mailDir).filter((name) => name.endsWith(".eml")));
    } catch {
      return new Set();
    }
  };

  /** The newest message to `email` not among `seen` (a `mailNames()` taken before the
   * action that mails it) for which `wanted` holds, waited for: mail goes out in a task
   * after the answer, so an earlier action's message may land after `seen` was taken. */
  const mail = (email, seen = new Set(), wanted = () => true) =>
    waitFor(`a mail to ${email}`, () => {
      const fresh = [...mailNames()]
        .filter((name) => !seen.has(name))
        .map((name) => ({ name, at: statSync(join(mailDir, name)).mtimeMs }))
        .sort((a, b) => b.at - a.at)
        .map(({ name }) => parseMail(readFileSync(join(mailDir, name), "utf8")));
      return fresh.find((letter) => letter.to.toLowerCase().includes(email.toLowerCase()) && wanted(letter));
    });

  /** One call of the JSON API: its status and body. */
  const api = async (method, path, { token, body } = {}) => {
    const headers = { accept: "application/json" };
    if (token) headers.authorization = `Bearer ${token}`;
    if (body !== undefined) headers["content-type"] = "application/json";
    const response = await fetch(`${url}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await response.text();
    let json;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = text;
    }
    return { status: response.status, json };
  };

  /** A user's token by the API's emailed code: a first sign-in makes the account. */
  const userToken = async (email) => {
    const seen = mailNames();
    const requested = await api("POST", "/v1/login-code/request", { body: { email } });
    assert.equal(requested.status, 202, `login code for ${email}: ${JSON.stringify(requested.json)}`);
    const code = codeIn(await mail(email, seen, hasCode));
    const signedIn = await api("POST", "/v1/login-code/authenticate", { body: { email, code } });
    assert.equal(signedIn.status, 200, `sign-in of ${email}: ${JSON.stringify(signedIn.json)}`);
    return signedIn.json;
  };

  /** Makes `email` a member of `organizationId` (setup's by default) with `role`, over the
   * API: the owner invites, the user signs in and accepts, the owner sets the role. */
  const addMember = async (email, role = "member", { organizationId = setup.organization_id, ownerToken = setup.user_token } = {}) => {
    const invited = await api("POST", `/v1/organizations/${organizationId}/members/invite`, { token: ownerToken, body: { email } });
    assert.equal(invited.status, 201, `invite ${email}: ${JSON.stringify(invited.json)}`);
    const user = await userToken(email);
    const accepted = await api("POST", `/v1/organizations/${organizationId}/invitations/${invited.json.id}/accept`, { token: user.token });
    assert.equal(accepted.status, 200, `accept by ${email}: ${JSON.stringify(accepted.json)}`);
    if (role !== "member") {
      const changed = await api("PATCH", `/v1/organizations/${organizationId}/members/${user.user_id}`, { token: ownerToken, body: { role } });
      assert.equal(changed.status, 200, `role of ${email}: ${JSON.stringify(changed.json)}`);
    }
    return user;
  };

  const stop = async () => {
    child.kill("SIGTERM");
    await exited;
    rmSync(dir, { recursive: true, force: true });
  };
  return { url, setup, cli, api, mail, mailNames, userToken, addMember, log, stop };
}

const CODE = /sign-in code:\s*([A-Z0-9]{6})\b/i;

/** Whether `letter` carries a sign-in code (and is not, say, an invitation). */
export const hasCode = (letter) => CODE.test(`${letter.subject}\n${letter.body}`);

/** The sign-in code in a login-code message. */
export function codeIn(letter) {
  const match = CODE.exec(`${letter.subject}\n${letter.body}`);
  assert.ok(match, `no sign-in code in the mail: ${letter.subject}\n${letter.body}`);
  return match[1];
}

/** The heading `name` (level 1), waited for: how a test knows which page it is on. */
export function onPage(page, name) {
  return page.getByRole("heading", { level: 1, name, exact: true }).waitFor();
}

/** Signs `email` in through /login (with `next`, if given): the code is read from the
 * newest mail to that address and typed into the second page. Ends on `next`'s page. */
export async function signIn(page, server, email, next) {
  await page.goto(`${server.url}/login${next ? `?next=${encodeURIComponent(next)}` : ""}`);
  await onPage(page, "Sign in");
  await page.getByLabel("Email", { exact: true }).fill(email);
  const seen = server.mailNames();
  await page.getByRole("button", { name: "Send code" }).click();
  await onPage(page, "Check your email");
  const code = codeIn(await server.mail(email, seen, hasCode));
  await page.getByLabel("Code", { exact: true }).fill(code);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.waitForURL((url) => !url.pathname.startsWith("/login"));
}

const JOIN = /https?:\/\/\S+\/join\/\S+/;

/** The `/join/…` link in the newest invitation mail to `email` not among `seen`. */
export async function joinLink(server, email, seen) {
  const letter = await server.mail(email, seen, (found) => JOIN.test(found.body));
  const match = JOIN.exec(letter.body);
  assert.ok(match, `no /join/ link in the invitation to ${email}:\n${letter.body}`);
  return match[0];
}

/** axe-core over the page: no violation of impact serious or critical (all are printed).
 * The source is evaluated over the DevTools protocol, which the page's CSP (no script)
 * does not govern, so the page is tested with its real policy. */
export async function checkA11y(page) {
  await page.evaluate(AXE_SOURCE);
  const result = await page.evaluate(() => globalThis.axe.run(document, { resultTypes: ["violations"] }));
  const bad = result.violations.filter((violation) => violation.impact === "serious" || violation.impact === "critical");
  if (bad.length > 0) {
    const detail = bad
      .map((violation) => `${violation.impact} ${violation.id}: ${violation.help}\n${violation.nodes.map((node) => `  ${node.target.join(" ")}: ${node.failureSummary}`).join("\n")}`)
      .join("\n");
    assert.fail(`axe: ${bad.length} serious or critical violation(s) on ${page.url()}\n${detail}`);
  }
}

/** What the contract asks of every page, JavaScript or not: `<html lang="en">`, a title,
 * one `h1` and a `<main>`. */
export async function checkStructure(page) {
  const found = await page.locator("html").evaluate((root) => ({
    lang: root.getAttribute("lang"),
    title: root.ownerDocument.title.trim(),
    h1: root.querySelectorAll("h1").length,
    main: root.querySelectorAll("main").length,
  }));
  assert.deepEqual(
    { lang: found.lang, titled: found.title.length > 0, h1: found.h1, main: found.main },
    { lang: "en", titled: true, h1: 1, main: 1 },
    `the page's frame on ${page.url()}`,
  );
}

/** A full-page PNG at $MEMBERSHIP_SCREENSHOTS/NAME.png, when that is set. */
export async function shot(page, name) {
  const folder = process.env.MEMBERSHIP_SCREENSHOTS;
  if (!folder) return;
  mkdirSync(resolve(folder), { recursive: true });
  await page.screenshot({ path: join(resolve(folder), `${name}.png`), fullPage: true });
}

/** The text of the page's status notice (`role="status"`), waited for. */
export async function notice(page) {
  const status = page.getByRole("status").first();
  await status.waitFor();
  return (await status.innerText()).trim();
}

/** The text of the page's first alert (`role="alert"`), waited for. */
export async function alert(page) {
  const found = page.getByRole("alert").first();
  await found.waitFor();
  return (await found.innerText()).trim();
}

let browser;
let hooked = false;

/**
 * Registers `title` twice, with JavaScript enabled and disabled (the pages need none), each
 * on a server of its own: `run({ page, server, js, newPage, a11y, shot })`. `a11y(page)`
 * checks the page's frame in both runs and runs axe in the enabled one only; `shot` saves in the enabled run only. A failing run
 * prints the server's log.
 */
export function flow(title, run) {
  // One browser per file, launched before its first test and closed after its last.
  if (!hooked) {
    hooked = true;
    before(async () => {
      browser = await launch();
    });
    after(async () => {
      await browser?.close();
    });
  }
  for (const js of [true, false]) {
    test(`${title} (JavaScript ${js ? "on" : "off"})`, async () => {
      const server = await startServer();
      const contexts = [];
      const cspViolations = [];
      const newPage = async () => {
        const context = await browser.newContext({ javaScriptEnabled: js });
        context.setDefaultTimeout(STEP_MS);
        contexts.push(context);
        const page = await context.newPage();
        page.on("console", (message) => {
          if (/Content Security Policy/i.test(message.text())) cspViolations.push(message.text());
        });
        return page;
      };
      try {
        const page = await newPage();
        await run({
          page,
          server,
          js,
          newPage,
          a11y: async (checked) => {
            await checkStructure(checked);
            if (js) await checkA11y(checked);
          },
          shot: js ? shot : async () => {},
        });
        assert.deepEqual(cspViolations, [], "the pages broke their own Content-Security-Policy");
      } catch (error) {
        console.error(`--- server log (${title}, JavaScript ${js ? "on" : "off"}):\n${server.log.join("")}`);
        throw error;
      } finally {
        for (const context of contexts) await context.close();
        await server.stop();
      }
    });
  }
}

/** The members page of organization `organizationId`. */
export const membersPath = (organizationId) => `/dashboard/${organizationId}/settings/members`;

/** The table captioned `caption` ("Members", "Pending invitations"), or `caption` and a
 * count in brackets ("Members (3)"), as the pages show it. */
export const table = (page, caption) => page.getByRole("table", { name: new RegExp(`^${caption}( \\(\\d+\\))?$`) });

/** The row of the Members table that names `email`. */
export const memberRow = (page, email) => table(page, "Members").getByRole("row").filter({ hasText: email });

/** Opens the Actions disclosure (`<details>`) of `email`'s row, by a click on its summary
 * (native: no script), and returns the row. */
export async function openActions(page, email) {
  const row = memberRow(page, email);
  const details = row.locator("details");
  if ((await details.getAttribute("open")) === null) await row.locator("summary").click();
  return row;
}

/** The organization's name, by the API. */
export async function organizationName(server, organizationId = server.setup.organization_id, token = server.setup.user_token) {
  const found = await server.api("GET", `/v1/organizations/${organizationId}`, { token });
  assert.equal(found.status, 200, JSON.stringify(found.json));
  return found.json.name;
}

/** Clicks `locator` and returns the answer to the form it posts (the document request). */
export async function submit(page, locator) {
  const [response] = await Promise.all([
    page.waitForResponse((answer) => answer.request().method() === "POST" && answer.request().resourceType() === "document"),
    locator.click(),
  ]);
  await page.waitForLoadState();
  return response;
}
