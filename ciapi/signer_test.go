package ciapi

import (
	"context"
	"errors"
	"net/http"
	"sync"
	"testing"
	"time"
)

func TestSignerKeyTime(t *testing.T) {
	s := &Signer{Now: func() time.Time { return time.Unix(1000, 0) }}
	if got := s.KeyTime(); got != "1000;4600" {
		t.Errorf("default window = %s, want 1000;4600 (one hour)", got)
	}
	s.Expire = 10 * time.Minute
	s.SetClockOffset(-30 * time.Second)
	if got := s.KeyTime(); got != "970;1570" {
		t.Errorf("window with offset = %s", got)
	}
}

func TestSignerWithoutCredentials(t *testing.T) {
	s := &Signer{Base: &capture{}}
	req, _ := http.NewRequest("GET", "https://b-1.ci.ap-x.myqcloud.com/", nil)
	if _, err := s.RoundTrip(req); !errors.Is(err, ErrNoCredentials) {
		t.Errorf("err = %v", err)
	}
}

func TestConcurrentCallsWithSkew(t *testing.T) {
	f := skewCI(t, time.Now().Add(3*time.Hour))
	c := newTestClient(t, f, nil)
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := c.Describe(context.Background(), testBucket, testRegion, "bj")
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
}
