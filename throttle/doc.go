// Package throttle is a rate limiter for a FHIR server that cannot be
// switched on without a technical justification, and that treats every
// client alike.
//
// Slowing down or refusing a patient's app is information blocking under
// the 21st Century Cures Act (45 CFR part 171) unless an exception applies;
// health IT developers face penalties of up to a million dollars per
// violation. Throttling an app at normal rates, or to save money, is never
// excused. So here a [Limiter] exists only for a [Justification] that meets
// the conditions of an exception, and it stops limiting when the
// justification's window ends.
//
// # The legal conditions in plain words
//
// Two exceptions can excuse a rate limit.
//
// Health IT performance, 45 CFR 171.205. Paragraph (a) covers maintenance
// and improvement of the system; paragraph (b) covers action against an app
// whose use is harming the system's performance. Either way the limit must
// last no longer than necessary, apply in the same way to everyone in the
// same situation (no favouring one's own portal, partners or paying
// customers), and agree with any service level agreement in force. Under
// (b) it may touch only the app that causes the harm: here, only a key
// whose own traffic exceeds the limit is ever slowed.
//
// Security, 45 CFR 171.203. The limit must be directly related to
// safeguarding electronic health information (here: protecting its
// availability against abuse and denial of service), tailored to the risk,
// and applied consistently and without discrimination. In addition, either
// (d) it implements a written security policy that rests on an assessment
// of the risks, aligns with a recognised standard, and sets objective
// timeframes for handling incidents; or (e) someone determined, for the case
// at hand, that it is necessary and that no reasonable alternative less
// likely to hinder access exists.
//
// Cost, revenue and competition are grounds for neither exception. They
// cannot be written here: [Exception] and [Resource] are closed
// enumerations, there is no free-text reason field, the file loaders refuse
// unknown fields, and the free text that does exist is screened for such
// words. Nor can clients be told apart: one [Limit] applies to every key,
// the provider's own portal included, and the traffic class describes
// behaviour, never who the client is.
//
// # A complete justification
//
// The file below (also testdata/justification.yaml, which the tests load
// and accept) limits each client to 20 requests per second, in bursts of
// up to 100, because measurements showed the database connection pool
// exhausted at 120 requests per second from one client, while 10 per second
// left it at its baseline. A patient app at normal rates (a launch followed
// by some thirty searches and their pages within a minute) never comes
// near it.
//
//	id: search-load-2026-03
//	exception: 171.205(b)
//	resource: database_connections
//	evidence:
//	  metric: database connections in use
//	  unit: percent of the connection pool
//	  baseline: 35
//	  observed: 98
//	  measured_at: 2026-02-20T14:00:00Z
//	  served_rate_per_key: 10
//	  observed_rate_per_key: 120
//	limit:
//	  requests_per_second: 20
//	  burst: 100
//	traffic_class: >-
//	  Any client that sends more than 20 requests per second for longer than
//	  five seconds, whoever it is.
//	window:
//	  start: 2026-03-01T00:00:00Z
//	  end: 2026-04-30T00:00:00Z
//	  review: 2026-03-31T00:00:00Z
//	approver:
//	  name: Dana Reyes
//	  role: Director of Platform Engineering
//	  approved_at: 2026-02-25T10:00:00Z
//	sla: >-
//	  Patient Access API service levels, version 3, section 4.2: 99.9 % of
//	  requests answered within 2 s. The limit keeps that level for every client.
//	contact: api-support@hospital.example
//
// A 171.203(d) justification adds a policy block (document,
// risk_assessment, standard, and incident_timeframes with identify,
// respond and resolve durations such as "15m"); a 171.203(e) one adds a
// determination block (finding, determined_at, and alternatives, each with
// a description and why it is insufficient). JSON uses the same names.
//
// # Usage
//
//	j, err := throttle.LoadFile("justification.yaml")
//	if err != nil {
//		return err
//	}
//	lim, err := throttle.New(j, throttle.Config{Audit: audit.Slog(logger)})
//	if err != nil {
//		return err // names every missing or invalid field
//	}
//	// After the smart middleware, so that requests are keyed by client ID:
//	handler := smartMiddleware(lim.Handler(fhirServer))
//
// # What the limiter does, step by step
//
//  1. [New] validates the justification against the clock: every field
//     present and well formed, the limit between what the evidence shows
//     the system serves and where it saw the impact, and at least [MinRate]
//     and [MinBurst], the window open, at most [MaxWindow] long and not past
//     its review date. Any failure returns a [ValidationError] listing every
//     problem, and no limiter.
//  2. For each request, [Limiter.Handler] picks the key: the OAuth client ID
//     of the smart Grant in the request's context, or else the client's IP
//     address (see [Config].TrustedProxies for proxies; the rule fails
//     closed). There is no other way to key, so no client can be singled
//     out or exempted.
//  3. Once the window has ended, the request passes, and the first such
//     request produces one audit record of kind [audit.KindThrottleEnded].
//  4. Otherwise one request is taken from the key's token bucket
//     (golang.org/x/time/rate in the process, GCRA in a shared store). A
//     request within the limit passes.
//  5. A request over the limit receives 429 with Retry-After and an
//     OperationOutcome naming the justification and the contact, and
//     produces an audit record of kind [audit.KindThrottled].
//  6. If the store fails or is full, the request passes: the limiter's own
//     failure never blocks a patient. The failure is reported with an audit
//     record of kind [audit.KindStoreOutage] (at most one a minute), and an
//     unreachable store is not asked again for a second.
//  7. [Limiter.Stats] counts allowed, limited and failed-open requests, so
//     an operator can show how rarely the limit fires.
//
// # Security model
//
// The limiter protects the server's capacity; it is not an access
// control, and every failure it has lets requests through. Keys are held in
// memory only until a sweep finds their bucket full again, and their number is
// bounded ([DefaultMaxKeys]); when the table is full, new keys pass
// unlimited. A client behind an untrusted proxy cannot choose its key with
// X-Forwarded-For. IP addresses are never written to audit records, since
// they identify people. Behind a proxy that is not configured as trusted,
// every client of that proxy shares the proxy's key until it
// authenticates; list the proxy in TrustedProxies or place the limiter
// after authentication.
//
// One key stands for one OAuth client, which may serve many patients at
// once: size the limit from evidence per client, as the evidence fields
// ask.
//
// # Specifications
//
//   - 45 CFR 171.203 (security exception) and 171.205 (health IT
//     performance exception), as cited above.
//   - RFC 6585 section 4 (429 Too Many Requests) and RFC 9110 section
//     10.2.3 (Retry-After).
//   - FHIR R4 OperationOutcome, issue type "throttled".
//   - The generic cell rate algorithm, for the shared store.
package throttle
