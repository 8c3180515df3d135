package main

import (
	"fmt"
	"sort"
	"time"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// callError is what a failed Sanad call says: its status and the google.rpc details every
// Sanad service attaches to a failure, so a platform can act on them rather than parse the
// message. ErrorInfo says why, RetryInfo when to try again, QuotaFailure which limit,
// BadRequest which fields, and LocalizedMessage what to tell a person (Arabic and English).
type callError struct {
	Code    codes.Code
	Message string
	// Reason and Domain come from ErrorInfo; Domain is "sanad.dev" for Sanad's own reasons.
	Reason, Domain string
	// Metadata is ErrorInfo's, for example each provider's failure class.
	Metadata map[string]string
	// RetryDelay is RetryInfo's; HasRetryDelay says whether the server sent one.
	RetryDelay    time.Duration
	HasRetryDelay bool
	Quota         []*errdetails.QuotaFailure_Violation
	Fields        []*errdetails.BadRequest_FieldViolation
	// Localized holds each LocalizedMessage by locale, for example "ar" and "en-US".
	Localized map[string]string
}

// decodeError reads err's status and details; ok is false when err carries no gRPC status.
func decodeError(err error) (decoded callError, ok bool) {
	s, ok := status.FromError(err)
	if !ok {
		return callError{}, false
	}
	decoded = callError{Code: s.Code(), Message: s.Message(), Localized: map[string]string{}}
	for _, detail := range s.Details() {
		switch d := detail.(type) {
		case *errdetails.ErrorInfo:
			decoded.Reason, decoded.Domain, decoded.Metadata = d.GetReason(), d.GetDomain(), d.GetMetadata()
		case *errdetails.RetryInfo:
			decoded.RetryDelay, decoded.HasRetryDelay = d.GetRetryDelay().AsDuration(), true
		case *errdetails.QuotaFailure:
			decoded.Quota = append(decoded.Quota, d.GetViolations()...)
		case *errdetails.BadRequest:
			decoded.Fields = append(decoded.Fields, d.GetFieldViolations()...)
		case *errdetails.LocalizedMessage:
			decoded.Localized[d.GetLocale()] = d.GetMessage()
		}
	}
	return decoded, true
}

// lines describes the details, one per line, in a fixed order.
func (e callError) lines() []string {
	var out []string
	if e.Reason != "" {
		out = append(out, fmt.Sprintf("reason: %s (%s)", e.Reason, e.Domain))
	}
	for _, key := range sortedKeys(e.Metadata) {
		out = append(out, fmt.Sprintf("  %s: %s", key, e.Metadata[key]))
	}
	if e.HasRetryDelay {
		out = append(out, fmt.Sprintf("retry after: %s", e.RetryDelay))
	}
	for _, v := range e.Quota {
		out = append(out, fmt.Sprintf("quota: %s: %s", v.GetSubject(), v.GetDescription()))
	}
	for _, v := range e.Fields {
		out = append(out, fmt.Sprintf("field %s: %s", v.GetField(), v.GetDescription()))
	}
	for _, locale := range sortedKeys(e.Localized) {
		out = append(out, fmt.Sprintf("[%s] %s", locale, e.Localized[locale]))
	}
	return out
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for key := range m {
		keys = append(keys, key)
	}
	sort.Strings(keys)
	return keys
}
