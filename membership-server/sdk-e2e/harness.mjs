// What the generation suites (gen-a/, e2e.mjs, gen-c/) share: a webhook receiver, `setup`, the
// server on a free port, and a tally of SDK calls. Node built-ins only, so each suite's
// own node_modules holds just its SDK. The 0.49 suite (e2e.mjs) uses it too.
//
// MEMBERSHIP_SERVER_BIN names the server binary; MEMBERSHIP_E2E_DATABASE_URL another
// database than a temporary SQLite file.

import { execFileSync, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import assert from "node:assert/strict";

const listen = (server) => new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve(server.address().port)));
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

export async function waitFor(what, check, timeoutMs = 15000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      if (await check()) return;
    } catch {
      // not yet
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

/** Starts the receiver and the server over a database `setup` filled. */
export async function start() {
  const bin = process.env.MEMBERSHIP_SERVER_BIN;
  assert.ok(bin, "set MEMBERSHIP_SERVER_BIN to the membership-server binary");
  const received = [];
  const receiver = createServer((request, response) => {
    const chunks = [];
    request.on("data", (chunk) => chunks.push(chunk));
    request.on("end", () => {
      received.push({ headers: request.headers, body: Buffer.concat(chunks).toString("utf8") });
      response.writeHead(204).end();
    });
  });
  const receiverPort = await listen(receiver);
  const probe = createServer();
  const serverPort = await listen(probe);
  await new Promise((resolve) => probe.close(resolve));
  const dir = mkdtempSync(join(tmpdir(), "membership-sdk-e2e-"));
  const databaseUrl = process.env.MEMBERSHIP_E2E_DATABASE_URL ?? `sqlite://${join(dir, "e2e.db")}`;
  const setup = JSON.parse(
    execFileSync(bin, [
      "--database-url", databaseUrl, "setup", "--json", "--individual-customer",
      "--customer-external-id", "cus_e2e",
      "--webhook-url", `http://127.0.0.1:${receiverPort}/webhooks`,
    ]).toString(),
  );
  const server = spawn(bin, ["--database-url", databaseUrl, "serve", "--listen", `127.0.0.1:${serverPort}`, "--webhook-poll-ms", "50"], {
    stdio: ["ignore", "inherit", "inherit"],
    env: { ...process.env, RUST_LOG: process.env.RUST_LOG ?? "warn" },
  });
  const serverURL = `http://127.0.0.1:${serverPort}`;
  await waitFor("the server", async () => (await fetch(`${serverURL}/health`)).ok);
  const stop = async () => {
    server.kill("SIGTERM");
    const code = await new Promise((resolve) => server.once("exit", (code) => resolve(code)));
    receiver.close();
    rmSync(dir, { recursive: true, force: true });
    return code;
  };
  return { setup, serverURL, received, stop };
}

/** Counts SDK calls: each one passes (it resolved, or rejected as expected) or fails. */
export function tally(suite) {
  const results = [];
  return {
    /** Runs one SDK call `name`; its value, or undefined when it failed. */
    async call(name, run) {
      try {
        const value = await run();
        results.push({ name, ok: true });
        console.log(`ok - ${name}`);
        return value;
      } catch (error) {
        results.push({ name, ok: false });
        console.error(`not ok - ${name}:`, error);
        return undefined;
      }
    },
    /** An SDK call that must reject with `expected` (a class or a predicate). */
    async rejects(name, run, expected) {
      return this.call(name, () => assert.rejects(run(), expected));
    },
    /** A check that is not an SDK call (webhooks): fails the suite, not counted. */
    failed: false,
    summary() {
      const passed = results.filter((result) => result.ok).length;
      console.log(`${suite}: ${passed}/${results.length} SDK calls pass`);
      return passed === results.length;
    },
  };
}
