package report

import (
	"bytes"
	"encoding/json"
	"reflect"
	"testing"

	"github.com/planrun/planrun/executor"
)

func TestJSONReportWaitFailedNamesEveryJob(t *testing.T) {
	var out bytes.Buffer
	r := NewJSON(&out, Meta{})
	if err := r.Close(nil, waitFixture(), Meta{}); err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Wait struct {
			Failed []map[string]string `json:"failed"`
		} `json:"wait"`
	}
	if err := json.Unmarshal(out.Bytes(), &doc); err != nil {
		t.Fatalf("%v\n%s", err, out.Bytes())
	}
	want := []map[string]string{
		{"plan": "video-backfill", "job": "videos", "name": "video-backfill-videos-0-aaaa",
			"bucket": "examplebucket-1250000000", "region": "ap-beijing", "job_id": "b1111", "state": "Failed",
			"code": "ResourceDownloadFailed", "message": "download <failed> & gone\nsecond line"},
		{"plan": "video-backfill", "job": "videos", "name": "video-backfill-videos-1-bbbb", "job_id": "b2222", "state": "Cancel"},
		{"plan": "other", "job": "j", "name": "other-j-0", "job_id": "b3333", "state": executor.StateNotFound},
	}
	if !reflect.DeepEqual(doc.Wait.Failed, want) {
		t.Errorf("wait.failed =\n%v\nwant\n%v", doc.Wait.Failed, want)
	}
}
