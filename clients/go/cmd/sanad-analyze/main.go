// Command sanad-analyze sends one policy to Sanad's analyzer through the generated Go client
// and prints the answer's provenance as JSON, or on failure the status and its google.rpc
// details (see decodeError). It is the smallest example of a Go platform calling Analyze,
// and the integration tests run it against the real services.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/status"

	analyzerv1 "sanad.dev/sanad/clients/go/sanad/analyzer/v1"
)

type summary struct {
	Source          string  `json:"source"`
	Provider        string  `json:"provider"`
	AnalysisID      string  `json:"analysis_id"`
	ComplianceGrade string  `json:"compliance_grade"`
	ComplianceRatio float64 `json:"overall_compliance_ratio"`
	Attempts        int     `json:"attempts"`
}

func main() {
	target := flag.String("target", "localhost:50051", "analyzer address")
	text := flag.String("text", "", "policy text (required)")
	policyType := flag.String("policy-type", "POLICY_TYPE_RETURN_EXCHANGE", "policy type enum name")
	shop := flag.String("shop", "", "shop name")
	timeout := flag.Duration("timeout", 30*time.Second, "deadline of the call")
	flag.Parse()

	value, known := analyzerv1.PolicyType_value[*policyType]
	if !known || *text == "" {
		fmt.Fprintln(os.Stderr, "usage: sanad-analyze -text TEXT [-policy-type POLICY_TYPE_...] [-target host:port]")
		os.Exit(2)
	}
	conn, err := grpc.NewClient(*target, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		fmt.Fprintln(os.Stderr, "connect:", err)
		os.Exit(1)
	}
	defer conn.Close()

	ctx, cancel := context.WithTimeout(context.Background(), *timeout)
	defer cancel()
	response, err := analyzerv1.NewAnalyzerServiceClient(conn).Analyze(ctx, &analyzerv1.AnalyzeRequest{
		ShopName:   *shop,
		PolicyType: analyzerv1.PolicyType(value),
		PolicyText: *text,
	})
	if err != nil {
		failure := status.Convert(err)
		fmt.Fprintf(os.Stderr, "%s: %s\n", failure.Code(), failure.Message())
		if decoded, ok := decodeError(err); ok {
			for _, line := range decoded.lines() {
				fmt.Fprintln(os.Stderr, "  "+line)
			}
		}
		os.Exit(1)
	}
	report := response.GetAnalysis().GetComplianceReport()
	out, _ := json.Marshal(summary{
		Source:          response.GetSource().String(),
		Provider:        response.GetProvider(),
		AnalysisID:      response.GetAnalysisId(),
		ComplianceGrade: report.GetComplianceGrade(),
		ComplianceRatio: report.GetOverallComplianceRatio(),
		Attempts:        len(response.GetAttempts()),
	})
	fmt.Println(string(out))
}
