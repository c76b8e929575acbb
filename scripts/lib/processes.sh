# Process helpers the test-set-up scripts share (sourced by engine.sh and buildkitd.sh).

# alive PIDFILE: the process the file names is running
alive() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }

# free_port: a TCP port on 127.0.0.1 that nothing listens on now
free_port() {
  node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'
}

# stop_pid_file PIDFILE: stops the process the file names (TERM, then KILL after 10 s), removes the file
stop_pid_file() {
  local f=$1
  if alive "$f"; then
    local pid
    pid=$(cat "$f")
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
  fi
  rm -f "$f"
}
