-- wrk script: every request stores one answer (a form post, as a browser without
-- JavaScript sends it). The cookie names the assessment; see answer_saves.sh.
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
wrk.headers["Cookie"] = os.getenv("DP_COOKIE")
-- As a browser posting from this site's own page (writes without it are refused).
wrk.headers["Sec-Fetch-Site"] = "same-origin"
local bodies = { "item=A1&answer=phone_only", "item=A2&answer=stable", "item=M1&answer=agree", "item=U2&answer=banking&answer=upload" }
local i = 0
request = function()
  i = i + 1
  return wrk.format(nil, "/self/answer", nil, bodies[(i % #bodies) + 1])
end
