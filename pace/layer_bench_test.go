package pace

import (
	"context"
	"testing"
	"time"

	"github.com/planrun/planrun/ciapi"
)

// nop is a Service whose creates and describes answer at once.
type nop struct{ Service }

func (nop) Create(context.Context, string, string, *ciapi.CreateRequest) (*ciapi.CreateResponse, error) {
	return &ciapi.CreateResponse{}, nil
}

func (nop) Describe(context.Context, string, string, string) (*ciapi.DescribeResponse, error) {
	return &ciapi.DescribeResponse{}, nil
}

// BenchmarkLayer is what the layer costs a call (slot, pacer, timeout, counts) on top of
// the client, as a run configures it.
func BenchmarkLayer(b *testing.B) {
	l := New(nop{}, Config{Parallel: 8, Pacer: NewFixed(0, 8), Retries: 5, Timeout: 30 * time.Second})
	ctx := context.Background()
	req := &ciapi.CreateRequest{}
	b.Run("create", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			_, _ = l.Create(ctx, testBucket, testRegion, req)
		}
	})
	b.Run("describe", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			_, _ = l.Describe(ctx, testBucket, testRegion, testJobID)
		}
	})
}
