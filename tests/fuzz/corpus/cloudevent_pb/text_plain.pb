
2s1.0"t*
datacontenttype
text/plain*
time2026-11-26T10:00:00Z:plain "text"
