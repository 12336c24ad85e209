// Package audit defines the typed records that fhirguard hands to the
// caller whenever it withholds or narrows access, and a [log/slog] adapter
// for them.
//
// Every package of the library reports through the same [Hook]: the smart
// middleware for 401, 403, 400 and 503 answers, the compartment decorator for
// resources dropped, queries narrowed, reads hidden as 404 and rule errors,
// and the throttle for every 429 it sends. A nil Hook discards records, so the
// library is silent unless the caller asks otherwise.
//
// # What a record may hold
//
// Records carry identifiers, types, counts, reasons and rule or
// justification names. They never carry resource contents, search parameter
// values (a search for a name is itself personal data), the token, or the
// token's subject (an authorization server may use an e-mail address there).
// Resource IDs and the launch patient's ID are allowed: they are what an
// operator needs to investigate a decision.
package audit
