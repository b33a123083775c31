package state

import (
	"context"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/planrun/planrun/ciapi"
	"github.com/planrun/planrun/plan/request"
)

// TestNamesRoundTrip checks that every Name comes back as it was stored, whatever its
// length (the padding of the packed bits) and whether or not it starts with its plan.
func TestNamesRoundTrip(t *testing.T) {
	names := []string{"p-", "p--", "p-a", "p-ab", "p-abc", "p-abcd", "p-abcde", "p-a-", "p-a--", "p---",
		"p-videos-20240101T0000-e3767b60186f5914", "p-videos-20240101T0000-e3767b60186f5914-a2",
		"p-" + strings.Repeat("Zz_9-", 40), "p-a.b", "p-ü", "other", "", "\x01x", "p", "pp-x"}
	seen := map[string]string{}
	for _, n := range names {
		enc := encodeName("p", n)
		if got := decodeName("p", enc); got != n {
			t.Errorf("%q: stored as %q, read back as %q", n, enc, got)
		}
		var key string
		switch e := enc.(type) {
		case string:
			key = "t" + e
		case []byte:
			key = "b" + string(e)
		}
		if o, dup := seen[key]; dup {
			t.Errorf("%q and %q are stored alike", o, n)
		}
		seen[key] = n
	}
	if b, ok := encodeName("p", "p-videos-20240101T0000-e3767b60186f5914").([]byte); !ok || len(b) != 1+28 {
		t.Errorf("a Name of 37 characters after its plan takes %d bytes, want 29", len(b))
	}
}

// TestRowsRoundTripThroughEveryWritePath checks that what the writer stores in compact
// cells reads back as it was written, by each write path: intents, outcomes over them,
// whole rows (a job found on the service), job states; with the shapes planrun writes
// and shapes it does not (kept as text).
func TestRowsRoundTripThroughEveryWritePath(t *testing.T) {
	ctx := context.Background()
	s := openStore(t, "")
	rec := func(i int) Record {
		return Record{Key: request.Key{Plan: "video-backfill", Name: fmt.Sprintf("video-backfill-videos-2024010%dT0000-e3767b60186f59%02d", i, i), Bucket: testBucket, Region: testRegion, Job: "videos", Seq: i, Type: "Workflow", InputKind: "Prefix", Input: "input/video/", Workflow: "w7476ff3564ee45b7b490d64bccaba6cc", Start: mustTime(fmt.Sprintf("2024-01-0%dT00:00:00+0800", i+1)),
			End: mustTime(fmt.Sprintf("2024-01-0%dT00:00:00+0545", i+2))}, Digest: fmt.Sprintf("e3767b60186f59%02dd8d73bde53016b3ca920c545080872d11aba4d57c5b4295", i), Status: request.Sending}
	}
	intents := []Record{rec(0), rec(1), rec(2), rec(3)}
	if err := s.Sync(ctx, &Write{Records: intents}); err != nil {
		t.Fatal(err)
	}
	want := slices.Clone(intents)
	want[0].Status, want[0].JobID, want[0].JobState, want[0].JobCreated, want[0].Attempts, want[0].RequestID =
		request.Triggered, "b417c8e58d1bc2cdbda475ee5780a34e0", "Submitted", "2024-01-03T07:53:49+0800", 1, "NmIxNzQ3MGRfMzQ2MWMxY2ZfY2VjM19hYTIy"
	want[1].Status, want[1].Attempts, want[1].ErrorCode, want[1].ErrorMessage, want[1].RequestID =
		request.Failed, 4, "InvalidArgument", "bad ☃ input", "not-base64"
	want[2].Status, want[2].JobID, want[2].JobState, want[2].JobCreated = "odd", "B-not-hex", "Paused?", "2024-01-03 07:53:49"
	want[3].Status = request.Planned // given back unsent
	found := rec(4)
	found.Name, found.Status, found.JobID, found.JobState, found.JobCreated = "elsewhere-x", request.Skipped, "i0002", "Success", "1969-12-31T23:59:59-0930"
	want = append(want, found)
	for _, r := range want {
		if err := s.Send(&Write{Records: []Record{r}}); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Sync(ctx, &Write{Jobs: []JobSeen{{Plan: "video-backfill", Name: want[0].Name, State: "Running", Created: "2024-01-03T07:53:50+0800"}}}); err != nil {
		t.Fatal(err)
	}
	want[0].JobState, want[0].JobCreated = "Running", "2024-01-03T07:53:50+0800"
	var got []Record
	for r, err := range s.Records(ctx) {
		if err != nil {
			t.Fatal(err)
		}
		if r.CreatedAt.IsZero() || r.UpdatedAt.Before(r.CreatedAt) {
			t.Errorf("%s: stamps %v %v", r.Name, r.CreatedAt, r.UpdatedAt)
		}
		r.CreatedAt, r.UpdatedAt = time.Time{}, time.Time{}
		got = append(got, r)
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("read back:\n%+v\nwant\n%+v", got, want)
	}
}

// The fast reading of a service time stores what time.Parse and Format would, or leaves
// the text to them: canonical times, dates and clocks out of range, offsets of every
// form, and text of the layout's length that is not a time.
func TestEncodeTimeFastMatchesParse(t *testing.T) {
	texts := []string{"2024-01-01T00:00:00+0800", "2024-02-29T23:59:59-0000", "2023-02-29T12:00:00+0800",
		"2024-04-31T00:00:00+0000", "2024-13-01T00:00:00+0000", "2024-00-10T00:00:00+0000", "2024-01-00T00:00:00+0000",
		"2024-01-01T24:00:00+0000", "2024-01-01T23:60:00+0000", "2024-01-01T23:59:60+0000", "0000-01-01T00:00:00+0000",
		"9999-12-31T23:59:59-2359", "1969-12-31T23:59:59+1400", "2024-01-01T00:00:00+2400", "2024-01-01T00:00:00+0060",
		"2024-01-01T00:00:00+3412", "2024-01-01 00:00:00+0800", "2024-01-01T00:00:00Z0800", "2024-01-01T00:00:00+08:0",
		"2024-1-01T00:00:00+08000", "abcd-01-01T00:00:00+0800", "2024-01-01T00:00:00.000+0800", "", "+0800",
		"2024-01-01T00:00:00+0830", "2024-01-01T00:00:00-0930", "1900-03-01T01:02:03+0545"}
	for i := range 3000 { // times of every offset a zone can have, and some days of the years
		ts := time.Unix(int64(i)*7919*3607-3e9, 0).In(time.FixedZone("", (i%57-28)*1800+i%7*60))
		texts = append(texts, ts.Format(ciapi.TimeFormat))
	}
	if _, ok := encodeTimeFast(texts[0]); !ok {
		t.Errorf("%s: not read by the fast path", texts[0])
	}
	for _, s := range texts {
		if got, want := encodeTime(s), encodeTimeParsed(s); got != want {
			t.Errorf("encodeTime(%q) = %v, want %v", s, got, want)
		}
	}
}

// A window bound encoded from its time is what encoding its text gives.
func TestEncodeWindowMatchesText(t *testing.T) {
	times := []time.Time{{}, time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2024, 1, 1, 0, 0, 0, 999, time.UTC),
		time.Date(-5, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(12000, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(1900, 1, 1, 0, 0, 0, 0, time.FixedZone("lmt", 8*3600+343)), time.Date(1960, 6, 1, 5, 0, 0, 0, time.FixedZone("", -9*3600-1800))}
	for i := range 2000 {
		times = append(times, time.Unix(int64(i)*86413*37-2e9, int64(i)).In(time.FixedZone("", (i%57-28)*1800)))
	}
	for _, ts := range times {
		if got, want := encodeWindow(ts), encodeTimeParsed(request.FormatTime(ts)); got != want {
			t.Errorf("encodeWindow(%v) = %v, want %v", ts, got, want)
		}
	}
}
