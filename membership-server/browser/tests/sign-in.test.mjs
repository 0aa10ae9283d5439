// Sign-in by emailed code (contract: Sign-in): a page behind sign-in sends the visitor to
// /login and back; a malformed email and a wrong code are refused next to their fields; the
// right code signs in; Sign out ends the session.

import assert from "node:assert/strict";
import { codeIn, flow, hasCode, onPage, submit } from "../harness.mjs";

flow("sign-in by an emailed code, refusals at the fields, sign-out", async ({ page, server, a11y, shot }) => {
  await page.goto(`${server.url}/dashboard/organizations`);
  await onPage(page, "Sign in");
  assert.equal(new URL(page.url()).pathname, "/login");
  assert.equal(new URL(page.url()).searchParams.get("next"), "/dashboard/organizations");
  await a11y(page);
  await shot(page, "sign-in");

  // A malformed address: 422, the form again with the error tied to the field.
  const email = page.getByLabel("Email", { exact: true });
  await email.fill("not-an-email");
  // The browser's own type=email check would stop the post; the server's is the one tested.
  await email.evaluate((input) => input.setAttribute("type", "text"));
  const malformed = await submit(page, page.getByRole("button", { name: "Send code" }));
  assert.equal(malformed.status(), 422);
  await onPage(page, "Sign in");
  assert.equal(await email.getAttribute("aria-invalid"), "true");
  const emailError = await email.getAttribute("aria-describedby");
  assert.ok(emailError, "the email error is not tied to the field");
  assert.equal(await page.locator(`[id="${emailError}"]`).getAttribute("role"), "alert");

  await email.fill("owner@example.com");
  const seen = server.mailNames();
  await page.getByRole("button", { name: "Send code" }).click();
  await onPage(page, "Check your email");
  const code = codeIn(await server.mail("owner@example.com", seen, hasCode));
  await a11y(page);
  await shot(page, "code");

  // A wrong code: 422, the same page with the error under Code.
  const codeField = page.getByLabel("Code", { exact: true });
  await codeField.fill(code === "AAAAAA" ? "BBBBBB" : "AAAAAA");
  const wrong = await submit(page, page.getByRole("button", { name: "Sign in" }));
  assert.equal(wrong.status(), 422);
  await onPage(page, "Check your email");
  assert.equal(await codeField.getAttribute("aria-invalid"), "true");
  const codeError = await codeField.getAttribute("aria-describedby");
  assert.ok(codeError, "the code error is not tied to the field");
  const error = page.locator(`[id="${codeError}"]`);
  assert.equal(await error.getAttribute("role"), "alert");
  assert.match(await error.innerText(), /code/i);
  await a11y(page);

  // The right code (typed in lower case: the same code) goes on to `next`.
  await codeField.fill(code.toLowerCase());
  await page.getByRole("button", { name: "Sign in" }).click();
  await onPage(page, "Organizations");
  assert.equal(new URL(page.url()).pathname, "/dashboard/organizations");
  const cookies = await page.context().cookies();
  const session = cookies.find((cookie) => cookie.name === "membership_session");
  assert.ok(session, "no membership_session cookie");
  assert.equal(session.httpOnly, true);
  assert.equal(session.sameSite, "Lax");

  // Sign out: back to /login, and the dashboard asks for sign-in again.
  await page.getByRole("button", { name: "Sign out" }).click();
  await onPage(page, "Sign in");
  assert.equal(new URL(page.url()).pathname, "/login");
  await page.goto(`${server.url}/dashboard`);
  await onPage(page, "Sign in");
});

flow("a form posted without its csrf field is refused (403)", async ({ page, server }) => {
  await page.goto(`${server.url}/login`);
  await onPage(page, "Sign in");
  await page.locator('input[name="csrf"]').evaluate((input) => input.remove());
  await page.getByLabel("Email", { exact: true }).fill("owner@example.com");
  const refused = await submit(page, page.getByRole("button", { name: "Send code" }));
  assert.equal(refused.status(), 403);
  assert.match(await page.locator("main").innerText(), /reload the page and try again/i);
});
