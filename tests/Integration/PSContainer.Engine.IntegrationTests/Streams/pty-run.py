# Runs a command on a new pseudo-terminal, as a user at a terminal would, for the detach tests:
#   pty-run.py WAIT_FOR SEND1 WAIT_FOR1 ... -- COMMAND ARGS...
# Before "--": pairs of (text to wait for in the output, text to type next), C escapes allowed
# ("\x10" is ctrl-p); each typed text is sent one byte per write, as keys arrive from a keyboard.
# Then the terminal is read until the command exits; prints "exit N" and what the terminal showed.
import os, pty, select, sys, time

split = sys.argv.index("--")
steps = [s.encode("latin-1").decode("unicode_escape").encode("latin-1") for s in sys.argv[1:split]]
command = sys.argv[split + 1:]
pid, fd = pty.fork()
if pid == 0:
    os.execv(command[0], command)

seen = b""
def read_some(deadline):
    global seen
    ready, _, _ = select.select([fd], [], [], max(0, deadline - time.time()))
    if not ready:
        return False
    try:
        chunk = os.read(fd, 4096)
    except OSError:
        return None  # the command exited and the terminal closed
    if not chunk:
        return None
    seen += chunk
    return True

for i in range(0, len(steps), 2):
    wait_for, send = steps[i], steps[i + 1] if i + 1 < len(steps) else b""
    deadline = time.time() + 60
    while wait_for not in seen:
        state = read_some(deadline)
        if state is None or state is False:
            sys.stdout.write("never saw %r; terminal: %r\n" % (wait_for, seen))
            os.kill(pid, 9)
            os.waitpid(pid, 0)
            sys.exit(2)
    seen = b""
    for b in send:
        os.write(fd, bytes([b]))
        time.sleep(0.05)

deadline = time.time() + 60
while read_some(deadline) is True:
    pass
finished, status = os.waitpid(pid, os.WNOHANG)
if finished == 0:
    sys.stdout.write("the command did not exit; terminal: %r\n" % seen)
    os.kill(pid, 9)
    os.waitpid(pid, 0)
    sys.exit(3)
sys.stdout.write("exit %d\n%r\n" % (os.waitstatus_to_exitcode(status), seen))
