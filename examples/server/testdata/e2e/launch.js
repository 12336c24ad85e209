// launch.js drives a standalone SMART launch against the fhirguard demo
// server with the fhirclient library (its Node adapter), headless:
//
//   node launch.js FHIR_BASE PATIENT UNTICK_SCOPE
//
// It runs a tiny app on a loopback port (its /launch calls
// fhirclient's authorize, its /callback calls ready), plays the patient's
// browser on the consent page with fetch (picks PATIENT, unticks
// UNTICK_SCOPE, approves), then reads the patient and searches its vital
// signs with the token fhirclient obtained. It prints one JSON line with
// what it saw and exits 0, or prints the error and exits 1.
"use strict";

const http = require("http");
const smart = require("fhirclient/lib/entry/node");

const [fhirBase, patient, untick] = process.argv.slice(2);
const scopes = ["launch/patient", "openid", "fhirUser", "patient/Patient.rs",
  "patient/Observation.rs", "patient/Condition.rs"];

// storage keeps fhirclient's state between /launch and /callback.
const data = new Map();
const storage = {
  get: async (key) => data.get(key),
  set: async (key, value) => { data.set(key, value); return value; },
  unset: async (key) => data.delete(key),
};

// app serves the app's two pages and resolves with what /callback saw.
function app() {
  let done;
  const result = new Promise((resolve, reject) => { done = { resolve, reject }; });
  const server = http.createServer(async (req, res) => {
    try {
      if (req.url.startsWith("/launch")) {
        await smart(req, res, storage).authorize({ iss: fhirBase, clientId: "fhirclient-e2e",
          scope: scopes.join(" "), redirectUri: "/callback", pkceMode: "required" });
        return;
      }
      const client = await smart(req, res, storage).ready();
      done.resolve(await explore(client));
      res.end("done");
    } catch (err) {
      res.statusCode = 500;
      res.end(String(err));
      done.reject(err);
    }
  });
  return { server, result };
}

// explore reads what the token allows, and tries what it does not.
async function explore(client) {
  const me = await client.patient.read();
  const vitals = await client.request(
    `Observation?patient=${client.patient.id}&category=vital-signs`,
    { pageLimit: 0, flat: true });
  let conditionStatus = 200;
  try {
    await client.request(`Condition?patient=${client.patient.id}`);
  } catch (err) {
    conditionStatus = err.status || (err.response && err.response.status) || -1;
  }
  let otherStatus = 200;
  try {
    await client.request("Patient/p1");
  } catch (err) {
    otherStatus = err.status || (err.response && err.response.status) || -1;
  }
  return { patient: me.id, scope: client.state.tokenResponse.scope,
    vitals: vitals.length,
    vitalSubjects: [...new Set(vitals.map((o) => o.subject.reference))],
    conditionStatus, otherStatus };
}

// browser plays the patient: it follows the launch to the consent page,
// answers it, and follows the redirect back to the app.
async function browser(appOrigin) {
  const launch = await fetch(appOrigin + "/launch", { redirect: "manual" });
  const authorizeURL = launch.headers.get("location");
  const page = await fetch(authorizeURL, { redirect: "manual" });
  const cookie = (page.headers.get("set-cookie") || "").split(";")[0];
  const html = await page.text();
  const request = /name="request" value="([^"]*)"/.exec(html);
  if (!request) throw new Error(`no consent form (${page.status}): ${html.slice(0, 300)}`);
  const offered = [...html.matchAll(/name="scope" value="([^"]*)"/g)].map((m) => m[1]);
  const form = new URLSearchParams({ request: request[1], patient, action: "approve" });
  for (const s of offered) if (s !== untick) form.append("scope", s);
  const action = new URL(/<form method="post" action="([^"]*)"/.exec(html)[1], authorizeURL);
  const answer = await fetch(action, { method: "POST", redirect: "manual", body: form,
    headers: { cookie, "content-type": "application/x-www-form-urlencoded" } });
  const callback = answer.headers.get("location");
  if (!callback || !callback.includes("code=")) {
    throw new Error(`consent answered ${answer.status}: ${await answer.text()}`);
  }
  await fetch(callback);
}

async function main() {
  const { server, result } = app();
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  try {
    await browser(`http://127.0.0.1:${server.address().port}`);
    console.log(JSON.stringify(await result));
  } finally {
    server.close();
  }
}

main().catch((err) => {
  console.error(err && err.stack || String(err));
  process.exit(1);
});
