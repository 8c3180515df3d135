package main

import (
	"fmt"
	"testing"
	"time"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/durationpb"
)

// A failure as the analyzer sends it when no provider could answer, decoded.
func Example_decodeError() {
	s, _ := status.New(codes.Unavailable, "no provider could answer").WithDetails(
		&errdetails.ErrorInfo{
			Reason:   "ALL_PROVIDERS_FAILED",
			Domain:   "sanad.dev",
			Metadata: map[string]string{"openai": "QUOTA_EXCEEDED", "gemini": "SERVICE_CRASH"},
		},
		&errdetails.RetryInfo{RetryDelay: durationpb.New(30 * time.Second)},
		&errdetails.QuotaFailure{Violations: []*errdetails.QuotaFailure_Violation{
			{Subject: "openai", Description: "daily requests"},
		}},
		&errdetails.LocalizedMessage{Locale: "en-US", Message: "The service is temporarily unavailable"},
		&errdetails.LocalizedMessage{Locale: "ar", Message: "الخدمة غير متاحة مؤقتا"},
	)
	decoded, _ := decodeError(s.Err())
	fmt.Println(decoded.Code, decoded.Message)
	for _, line := range decoded.lines() {
		fmt.Println(line)
	}
	// Output:
	// Unavailable no provider could answer
	// reason: ALL_PROVIDERS_FAILED (sanad.dev)
	//   gemini: SERVICE_CRASH
	//   openai: QUOTA_EXCEEDED
	// retry after: 30s
	// quota: openai: daily requests
	// [ar] الخدمة غير متاحة مؤقتا
	// [en-US] The service is temporarily unavailable
}

func TestBadRequestViolationsOfEveryDetailAreKept(t *testing.T) {
	s, err := status.New(codes.InvalidArgument, "invalid request").WithDetails(
		&errdetails.BadRequest{FieldViolations: []*errdetails.BadRequest_FieldViolation{
			{Field: "policy_text", Description: "empty"},
		}},
		&errdetails.BadRequest{FieldViolations: []*errdetails.BadRequest_FieldViolation{
			{Field: "policy_type", Description: "unspecified"},
		}},
	)
	if err != nil {
		t.Fatal(err)
	}
	decoded, ok := decodeError(s.Err())
	if !ok || len(decoded.Fields) != 2 || decoded.Fields[1].GetField() != "policy_type" {
		t.Fatalf("decoded %+v, ok %v", decoded, ok)
	}
	if decoded.HasRetryDelay || decoded.Reason != "" {
		t.Fatalf("details that were not sent: %+v", decoded)
	}
}

func TestAnErrorWithoutStatusIsNotDecoded(t *testing.T) {
	if _, ok := decodeError(fmt.Errorf("not a gRPC error")); ok {
		t.Fatal("decoded an error that carries no status")
	}
}
