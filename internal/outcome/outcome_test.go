package outcome

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"
)

func TestWrite(t *testing.T) {
	rec := httptest.NewRecorder()
	rec.Header().Set("Retry-After", "7")

	Write(rec, http.StatusTooManyRequests, Throttled, `limit "x" <reached>`)

	if rec.Code != http.StatusTooManyRequests {
		t.Errorf("status = %d, want 429", rec.Code)
	}
	if got := rec.Header().Get("Retry-After"); got != "7" {
		t.Errorf("Retry-After = %q, want the header set before Write kept", got)
	}
	if got := rec.Header().Get("Content-Type"); got != ContentType {
		t.Errorf("Content-Type = %q, want %q", got, ContentType)
	}
	var oo struct {
		ResourceType string
		Issue        []struct{ Severity, Code, Diagnostics string }
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &oo); err != nil {
		t.Fatalf("body is not JSON: %v", err)
	}
	if oo.ResourceType != "OperationOutcome" || len(oo.Issue) != 1 {
		t.Fatalf("body = %s, want one OperationOutcome issue", rec.Body)
	}
	is := oo.Issue[0]
	if is.Severity != "error" || is.Code != "throttled" || is.Diagnostics != `limit "x" <reached>` {
		t.Errorf("issue = %+v", is)
	}
}

func TestTypeForStatus(t *testing.T) {
	for status, want := range map[int]IssueType{
		http.StatusNotFound: NotFound, http.StatusForbidden: Forbidden,
		http.StatusBadRequest: Invalid, http.StatusPreconditionFailed: Invalid,
		http.StatusInternalServerError: Exception, http.StatusConflict: Exception,
	} {
		if got := TypeForStatus(status); got != want {
			t.Errorf("TypeForStatus(%d) = %q, want %q", status, got, want)
		}
	}
}
