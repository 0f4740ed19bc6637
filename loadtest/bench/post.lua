-- wrk script: the same embed request over and over (a hot page's C2C token)
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"token":"c2c_7acc0e5e968706a032983cd80cdca219"}'
