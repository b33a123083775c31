package ciapi

import "testing"

// The three worked examples of the signature documentation (docs/service-api.md, "The
// signature"), reproduced through the canonical form.
func TestSignatureVectors(t *testing.T) {
	tests := []struct {
		name, secretID, secretKey, keyTime string
		c                                  Canonical
		wantFormat, wantAuth               string
	}{
		{
			name:     "A upload",
			secretID: "AKIDQjz3ltompVjBni5LitkWHFlFpwkn9U5q", secretKey: "BQYIM75p8x0iWVFSIgqEKwFprpRSVHlz",
			keyTime: "1557989151;1557996351",
			c: Canonical{Method: "PUT", Path: "/exampleobject(腾讯云)", Headers: []KV{
				{"content-length", Encode("13")}, {"content-md5", Encode("mQ/fVh815F3k6TAUm8m0eg==")},
				{"content-type", Encode("text/plain")}, {"date", Encode("Thu, 16 May 2019 06:45:51 GMT")},
				{"host", Encode("examplebucket-1250000000.cos.ap-beijing.myqcloud.com")},
				{"x-cos-acl", Encode("private")}, {"x-cos-grant-read", Encode(`uin="100000000011"`)},
			}},
			wantAuth: "q-sign-algorithm=sha1&q-ak=AKIDQjz3ltompVjBni5LitkWHFlFpwkn9U5q&q-sign-time=1557989151;1557996351&q-key-time=1557989151;1557996351&q-header-list=content-length;content-md5;content-type;date;host;x-cos-acl;x-cos-grant-read&q-url-param-list=&q-signature=3b8851a11a569213c17ba8fa7dcf2abec6935172",
		},
		{
			name:     "B download",
			secretID: "AKIDQjz3ltompVjBni5LitkWHFlFpwkn9U5q", secretKey: "BQYIM75p8x0iWVFSIgqEKwFprpRSVHlz",
			keyTime: "1557989753;1557996953",
			c: Canonical{Method: "GET", Path: "/exampleobject(腾讯云)",
				Params: []KV{{"response-content-type", Encode("application/octet-stream")}, {"response-cache-control", Encode("max-age=600")}},
				Headers: []KV{{"date", Encode("Thu, 16 May 2019 06:55:53 GMT")},
					{"host", Encode("examplebucket-1250000000.cos.ap-beijing.myqcloud.com")}}},
			wantAuth: "q-sign-algorithm=sha1&q-ak=AKIDQjz3ltompVjBni5LitkWHFlFpwkn9U5q&q-sign-time=1557989753;1557996953&q-key-time=1557989753;1557996953&q-header-list=date;host&q-url-param-list=response-cache-control;response-content-type&q-signature=01681b8c9d798a678e43b685a9f1bba0f6c0e012",
		},
		{
			name:     "C sdk",
			secretID: "QmFzZTY0IGlzIGEgZ2VuZXJp", secretKey: "AKIDZfbOA78asKUYBcXFrJD0a1ICvR98JM",
			keyTime: "1480932292;1481012292",
			c: Canonical{Method: "PUT", Path: "/testfile2", Headers: []KV{
				{"host", "testbucket-125000000.cos.ap-guangzhou.myqcloud.com"},
				{"x-cos-content-sha1", "db8ac1c259eb89d4a131b253bacfca5f319d54f2"},
				{"x-cos-stroage-class", "nearline"}}},
			wantFormat: "put\n/testfile2\n\nhost=testbucket-125000000.cos.ap-guangzhou.myqcloud.com&x-cos-content-sha1=db8ac1c259eb89d4a131b253bacfca5f319d54f2&x-cos-stroage-class=nearline\n",
			wantAuth:   "q-sign-algorithm=sha1&q-ak=QmFzZTY0IGlzIGEgZ2VuZXJp&q-sign-time=1480932292;1481012292&q-key-time=1480932292;1481012292&q-header-list=host;x-cos-content-sha1;x-cos-stroage-class&q-url-param-list=&q-signature=ce4ac0ecbcdb30538b3fee0a97cc6389694ce53a",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.wantFormat != "" {
				if got := tt.c.FormatString(); got != tt.wantFormat {
					t.Errorf("FormatString = %q, want %q", got, tt.wantFormat)
				}
			}
			if got := tt.c.Authorization(tt.secretID, tt.secretKey, tt.keyTime); got != tt.wantAuth {
				t.Errorf("Authorization =\n%s\nwant\n%s", got, tt.wantAuth)
			}
		})
	}
}
