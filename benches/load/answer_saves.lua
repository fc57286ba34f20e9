-- wrk script: every request stores one answer (a form post, as a browser without
-- JavaScript sends it). DP_COOKIE names one assessment (every connection writes to it:
-- the worst case); DP_COOKIES, several separated by spaces, spreads the saves over them
-- in turn, as many recipients answering at once would. See side_by_side.sh.
-- Sec-Fetch-Site: as a browser posting from this site's own page (writes without it
-- are refused).
local cookies = {}
for c in string.gmatch(os.getenv("DP_COOKIES") or os.getenv("DP_COOKIE") or "", "%S+") do
  table.insert(cookies, c)
end
local bodies = { "item=A1&answer=phone_only", "item=A2&answer=stable", "item=M1&answer=agree", "item=U2&answer=banking&answer=upload" }
local i = 0
request = function()
  i = i + 1
  -- wrk.format does not merge wrk.headers into a table of its own: name them all.
  local headers = {
    ["Content-Type"] = "application/x-www-form-urlencoded",
    ["Sec-Fetch-Site"] = "same-origin",
    ["Cookie"] = cookies[(i % #cookies) + 1],
  }
  return wrk.format("POST", "/self/answer", headers, bodies[(i % #bodies) + 1])
end
