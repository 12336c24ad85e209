package throttle

import (
	"strings"
	"unicode"
)

// The words below screen the free-text fields of a justification. The
// guarantee that cost, revenue and competition cannot be grounds, and that
// clients cannot be told apart, is structural: the exception and the
// resource are closed enumerations and there is one limit for every key.
// The screen adds a check against honest mistakes in the words a reviewer
// signs, such as a traffic class "third-party apps" or a metric "hosting
// cost". It matches whole words, so it cannot be fooled into refusing
// "costume", and a writer who sets out to evade it (misspelling, another
// language) can; that is why it is not the guarantee.

// nonTechnicalWords are grounds 45 CFR 171 does not accept for throttling.
var nonTechnicalWords = wordSet(
	"cost", "costs", "costly", "expense", "expenses", "revenue", "revenues",
	"profit", "profits", "profitability", "margin", "margins", "price",
	"prices", "pricing", "fee", "fees", "billing", "invoice", "monetize",
	"monetise", "monetization", "monetisation", "competitor", "competitors",
	"competition", "competitive", "commercial", "subscription",
)

// identityWords and identityPairs name clients rather than behaviour.
var identityWords = wordSet(
	"vendor", "vendors", "clientid", "partner", "partners", "portal",
	"portals", "tier", "tiers", "premium", "paid", "unpaid", "allowlist",
	"whitelist", "blocklist", "blacklist", "developer", "developers",
)

var identityPairs = wordSet(
	"client id", "client ids", "client identifier", "first party",
	"third party", "3rd party", "1st party", "our app", "our apps",
)

// screen returns, for one free-text field, the first word that gives
// non-technical grounds and, when identity is set, the first word that
// names clients rather than behaviour; "" for none.
func screen(text string, identity bool) (nonTechnical, names string) {
	words := strings.FieldsFunc(strings.ToLower(text), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	})
	for i, w := range words {
		if nonTechnical == "" && nonTechnicalWords[w] {
			nonTechnical = w
		}
		if !identity || names != "" {
			continue
		}
		if identityWords[w] {
			names = w
		} else if i+1 < len(words) && identityPairs[w+" "+words[i+1]] {
			names = w + " " + words[i+1]
		}
	}
	return nonTechnical, names
}

// wordSet builds a set from its arguments.
func wordSet(words ...string) map[string]bool {
	set := make(map[string]bool, len(words))
	for _, w := range words {
		set[w] = true
	}
	return set
}
