// Generation A: @polar-sh/sdk 0.48.1, the SDK of the seed's snippet, against
// membership-server. Runs the seed's snippet as published (only `serverURL` added, and its
// "<value>" placeholder filled with the customer setup made), then every `members.*` call
// and the SDK's typed errors, then checks every webhook with the SDK's own validateEvent.

import assert from "node:assert/strict";

import { Polar } from "@polar-sh/sdk";
import { HTTPValidationError } from "@polar-sh/sdk/models/errors/httpvalidationerror.js";
import { ResourceNotFound } from "@polar-sh/sdk/models/errors/resourcenotfound.js";
import { validateEvent } from "@polar-sh/sdk/webhooks";

import { start, tally, waitFor } from "../harness.mjs";

const harness = await start();
const { setup, serverURL } = harness;
const calls = tally("gen-a (@polar-sh/sdk 0.48.1)");
let failed = false;
try {
  process.env["POLAR_ACCESS_TOKEN"] = setup.organization_token;
  const customerId = setup.customer_id;

  // The seed's snippet (seeds/polar-api-create-member.txt), verbatim but for serverURL.
  const polar = new Polar({
    accessToken: process.env["POLAR_ACCESS_TOKEN"] ?? "",
    serverURL,
  });

  async function run() {
    const result = await polar.members.createMember({
      customerId: customerId,
      email: "member@example.com",
      name: "Jane Doe",
      externalId: "usr_1337",
    });

    console.log(result);
    return result;
  }

  const jane = await calls.call("members.createMember (the seed's snippet)", async () => {
    const result = await run();
    assert.equal(result.customerId, customerId);
    assert.equal(result.email, "member@example.com");
    assert.equal(result.externalId, "usr_1337");
    return result;
  });

  const bo = await calls.call("members.createMember", () =>
    polar.members.createMember({ customerId, email: "bo@example.com", name: "Bo", externalId: "usr_bo" }),
  );

  await calls.call("members.listMembers (every page)", async () => {
    const seen = [];
    for await (const page of await polar.members.listMembers({ customerId, limit: 1 })) {
      seen.push(...page.result.items.map((member) => member.id));
    }
    assert.equal(new Set(seen).size, 3, "the owner, Jane and Bo");
  });

  await calls.call("members.getMember", async () => {
    const got = await polar.members.getMember({ id: jane.id });
    assert.deepEqual(got, jane);
  });

  await calls.call("members.updateMember", async () => {
    const updated = await polar.members.updateMember({ id: jane.id, memberUpdate: { name: "Jane Q. Doe", role: "billing_manager" } });
    assert.equal(updated.name, "Jane Q. Doe");
    assert.equal(updated.role, "billing_manager");
  });

  await calls.call("members.getMemberByExternalId (customer id)", async () => {
    const got = await polar.members.getMemberByExternalId({ externalId: "usr_bo", customerId });
    assert.equal(got.id, bo.id);
  });

  await calls.call("members.getMemberByExternalId (external customer id)", async () => {
    const got = await polar.members.getMemberByExternalId({ externalId: "usr_bo", externalCustomerId: "cus_e2e" });
    assert.equal(got.id, bo.id);
  });

  await calls.call("members.updateMemberByExternalId", async () => {
    const updated = await polar.members.updateMemberByExternalId({
      externalId: "usr_bo",
      externalCustomerId: "cus_e2e",
      memberUpdate: { name: "Bo B." },
    });
    assert.equal(updated.name, "Bo B.");
  });

  await calls.call("members.deleteMemberByExternalId", () =>
    polar.members.deleteMemberByExternalId({ externalId: "usr_bo", customerId }),
  );

  await calls.call("members.deleteMember", () => polar.members.deleteMember({ id: jane.id }));

  // The SDK's typed errors.
  await calls.rejects("members.getMember of a deleted member → ResourceNotFound", () => polar.members.getMember({ id: jane.id }), ResourceNotFound);
  await calls.rejects(
    "members.getMemberByExternalId of a deleted member → ResourceNotFound",
    () => polar.members.getMemberByExternalId({ externalId: "usr_bo", customerId }),
    ResourceNotFound,
  );
  await calls.rejects(
    "members.createMember with a bad email → HTTPValidationError",
    () => polar.members.createMember({ customerId, email: "not an email" }),
    HTTPValidationError,
  );

  // Every webhook the server delivered passes the SDK's validateEvent.
  // Deliveries run in parallel and in no fixed order: wait for every one expected.
  const seen = (type) => harness.received.filter((hook) => hook.body.includes(`"${type}"`)).length;
  await waitFor("four member.created, two member.updated and two member.deleted webhooks", () =>
    seen("member.created") >= 4 && seen("member.updated") >= 2 && seen("member.deleted") >= 2);
  const events = harness.received.map((hook) => validateEvent(hook.body, hook.headers, setup.webhook_secret));
  const count = (type) => events.filter((event) => event.type === type).length;
  assert.equal(count("member.created"), 4, "both customers' owners, Jane and Bo");
  assert.ok(count("member.updated") >= 2);
  assert.equal(count("member.deleted"), 2);
  console.log(`ok - ${events.length} webhooks verified with validateEvent`);
} catch (error) {
  failed = true;
  console.error("not ok -", error);
} finally {
  if (!calls.summary()) failed = true;
  const code = await harness.stop();
  if (code !== 0) {
    failed = true;
    console.error(`not ok - the server did not shut down cleanly on SIGTERM (exit ${code})`);
  }
}
process.exit(failed ? 1 : 0);
