// Polar's own TypeScript SDK (@polar-sh/sdk 0.49) against membership-server, end to end.
//
// Starts a webhook receiver, sets up an organization with the server's `setup` command,
// starts the server on a free port, drives the member API through the SDK (create, list
// across pages, get, rename, promote to owner, delete, and the SDK's typed errors), then
// checks every webhook the server delivered with the SDK's own `validateEvent`.
//
// MEMBERSHIP_SERVER_BIN names the server binary (run.sh builds it).

import { execFileSync, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import assert from "node:assert/strict";

import { Polar } from "@polar-sh/sdk";
import { HTTPValidationError } from "@polar-sh/sdk/models/errors/httpvalidationerror.js";
import { NotPermitted } from "@polar-sh/sdk/models/errors/notpermitted.js";
import { ResourceNotFound } from "@polar-sh/sdk/models/errors/resourcenotfound.js";
import { validateEvent } from "@polar-sh/sdk/webhooks";

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
const listen = (server) => new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve(server.address().port)));
const receiverPort = await listen(receiver);
const serverPort = await (async () => {
  const probe = createServer();
  const port = await listen(probe);
  await new Promise((resolve) => probe.close(resolve));
  return port;
})();

const dir = mkdtempSync(join(tmpdir(), "membership-sdk-e2e-"));
// SQLite by default; `MEMBERSHIP_E2E_DATABASE_URL` runs the same flow on another database
// (CI: a throwaway PostgreSQL).
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

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
async function waitFor(what, check, timeoutMs = 15000) {
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

let failed = false;
try {
  await waitFor("the server", async () => (await fetch(`${serverURL}/health`)).ok);
  const polar = new Polar({ accessToken: setup.organization_token, serverURL });
  const customerId = setup.customer_id;
  let steps = 0;
  const step = (name) => console.log(`ok ${++steps} - ${name}`);

  // Create through customers.members.create.
  const created = [];
  for (let n = 0; n < 7; n++) {
    created.push(
      await polar.customers.members.create({
        id: customerId,
        memberCreateFromCustomer: { email: `member${n}@example.com`, name: `Member ${n}`, externalId: `ext_${n}` },
      }),
    );
  }
  assert.equal(created[0].customerId, customerId);
  assert.equal(created[0].role, "member");
  assert.ok(created[0].createdAt instanceof Date);
  step("customers.members.create, seven times");

  // List through the SDK's page iterator, across several pages.
  const pages = await polar.members.listMembers({ customerId, limit: 3 });
  const seen = [];
  let pageCount = 0;
  for await (const page of pages) {
    pageCount++;
    seen.push(...page.result.items.map((member) => member.id));
  }
  assert.equal(pageCount, 3, "8 members, 3 a page");
  assert.equal(new Set(seen).size, 8);
  for (const member of created) assert.ok(seen.includes(member.id));
  step("members.listMembers iterated across 3 pages");

  // Get, then update: rename, then promote to owner so ownership moves.
  const target = created[3];
  const got = await polar.customers.members.get({ id: customerId, memberId: target.id });
  assert.deepEqual(got, target);
  const renamed = await polar.customers.members.update({ id: customerId, memberId: target.id, memberUpdate: { name: "Renamed" } });
  assert.equal(renamed.name, "Renamed");
  const promoted = await polar.customers.members.update({ id: customerId, memberId: target.id, memberUpdate: { role: "owner" } });
  assert.equal(promoted.role, "owner");
  const formerOwner = await polar.customers.members.get({ id: customerId, memberId: setup.member_id });
  assert.notEqual(formerOwner.role, "owner", "ownership moved");
  const byExternal = await polar.customers.members.getExternal({ externalId: "cus_e2e", memberExternalId: "ext_3" });
  assert.equal(byExternal.id, target.id);
  step("get, rename, promote to owner (ownership moved), get by external ids");

  // Delete.
  const gone = created[5];
  await polar.customers.members.delete({ id: customerId, memberId: gone.id });
  step("delete");

  // The SDK's typed errors.
  await assert.rejects(polar.customers.members.get({ id: customerId, memberId: gone.id }), ResourceNotFound);
  await assert.rejects(
    polar.customers.members.create({ id: customerId, memberCreateFromCustomer: { email: "not an email" } }),
    (error) => error instanceof HTTPValidationError && error.detail?.[0]?.loc?.join(".") === "body.email",
  );
  await assert.rejects(
    polar.customers.members.create({ id: setup.individual_customer_id, memberCreateFromCustomer: { email: "second@example.com" } }),
    NotPermitted,
  );
  step("ResourceNotFound, HTTPValidationError (loc body.email), NotPermitted");

  // Every webhook the server delivered passes the SDK's validateEvent.
  // Deliveries run in parallel and in no fixed order: wait for every one expected.
  await waitFor("nine member.created and the member.deleted webhook", () =>
    received.filter((hook) => hook.body.includes('"member.created"')).length >= 9 &&
    received.some((hook) => hook.body.includes("member.deleted") && hook.body.includes(gone.id)),
  );
  const events = received.map((hook) => validateEvent(hook.body, hook.headers, setup.webhook_secret));
  const count = (type) => events.filter((event) => event.type === type).length;
  assert.equal(count("member.created"), 9, "both customers' owners and seven members");
  assert.ok(count("member.updated") >= 3, "rename, and both sides of the ownership move");
  assert.equal(count("member.deleted"), 1);
  const ids = received.map((hook) => hook.headers["webhook-id"]);
  assert.equal(new Set(ids).size, ids.length, "one webhook-id per webhook");
  step(`${events.length} webhooks verified with validateEvent`);
  console.log(`1..${steps}`);
} catch (error) {
  failed = true;
  console.error("not ok -", error);
} finally {
  server.kill("SIGTERM");
  const code = await new Promise((resolve) => server.once("exit", (code) => resolve(code)));
  if (code !== 0) {
    failed = true;
    console.error(`not ok - the server did not shut down cleanly on SIGTERM (exit ${code})`);
  }
  receiver.close();
  rmSync(dir, { recursive: true, force: true });
}
process.exit(failed ? 1 : 0);
