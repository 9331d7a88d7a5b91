/**
 * The spawner in Python: the same process, protocol and guarantees as spawner.ts and
 * perl-spawner.ts, for systems with a `python3` (3.8 or later). crew prefers it to the others.
 *
 * Why: it starts each command with posix_spawn(3), which glibc (and macOS) implement without
 * copying the spawner's memory: the child borrows the parent's address space until it execs
 * (vfork semantics). A fork (Perl's, Node.js's) instead write-protects every page of the
 * parent and copies each one either side then writes: on virtual machines each such fault
 * costs a TLB shootdown across cores, and on a 2-core VM a Perl spawner's forks made `crew
 * run` half as fast as `xargs -P 8`; with posix_spawn it outruns xargs.
 *
 * Each command runs exactly as runCommand (command.ts) runs it: no shell (the argument list is
 * exec'd, PATH searched), its own process group, stdin from /dev/null, stdout and stderr to two
 * unlinked temp files when captured, exit code 127 and a line on stderr when it cannot be
 * started; signals Python ignores (SIGPIPE, SIGXFSZ) are back to their defaults in the command.
 * Stopping one: SIGTERM to its group, SIGKILL `killGrace` ms later; once its leader has exited
 * the rest of the group gets SIGKILL and the answer waits (at most `killGrace` ms) until the
 * group is gone. crew's socket closing (crew exited, crashed or was SIGKILLed), or a signal to
 * the spawner, SIGKILLs every running group, and the spawner exits.
 *
 * Run as `python3 -S -c <this>` (no site module: a faster start), without crew's `PYTHON*`
 * variables and with PYTHONCOERCECLOCALE=0 (in the C locale Python would otherwise add
 * LC_CTYPE=C.UTF-8 to the environment the commands get; `-I` would ignore that variable too);
 * the spawner gives the commands crew's own values back. A Python without posix_spawn exits 3
 * at once, silently: crew falls back to another spawner.
 *
 * Arguments: capture (0 or 1), killGrace in ms, the temp directory, then crew's `PYTHON*`
 * variables as `NAME=value`. Requests carry the argv as its arguments joined with NUL bytes
 * (no argument can hold one: exec takes C strings).
 */
export const PYTHON_SPAWNER = String.raw`
import sys
# Modules come from Python's own library only, never from the working directory.
sys.path = [p for p in sys.path if p]
import os
if not hasattr(os, 'posix_spawnp') or not hasattr(os, 'POSIX_SPAWN_DUP2'):
    os._exit(3)
import errno, select, signal, struct, time

capture = sys.argv[1] == '1'
grace = int(sys.argv[2]) / 1000
tmpdir = sys.argv[3]
# Python ran without crew's PYTHON* variables (and with PYTHONCOERCECLOCALE=0); the commands get crew's own.
for name in [name for name in os.environ if name.startswith('PYTHON')]:
    del os.environ[name]
for entry in sys.argv[4:]:
    name, _, value = entry.partition('=')
    os.environ[name] = value
RUN, STOP, KILL_ALL = 1, 2, 3
SOCK = 3
os.set_inheritable(SOCK, False)
null = os.open('/dev/null', os.O_RDONLY | os.O_CLOEXEC)
# Python ignores these itself; a command gets them at their defaults.
DEFAULTS = [s for s in (getattr(signal, 'SIGPIPE', None), getattr(signal, 'SIGXFSZ', None)) if s]

# Running jobs by leader pid: [id, out, err, status, kill_at, gone_by]; pids by id; the pids of
# the jobs being stopped (most loops have none to tend).
STATUS, KILL_AT, GONE_BY = 3, 4, 5
jobs = {}
pid_of = {}
stopping = set()
spare = []
captures = 0

def kill_group(pid, sig):
    try:
        os.kill(-pid, sig)
    except OSError:
        pass

def group_gone(pid):
    try:
        os.kill(-pid, 0)
    except ProcessLookupError:
        return True
    except OSError:
        return False
    return False

def kill_all():
    for pid in list(jobs):
        kill_group(pid, signal.SIGKILL)

def shut_down(*_):
    kill_all()
    os._exit(0)

def send(frame):
    view = memoryview(frame)
    while view:
        # (Python retries a write that a signal interrupted.)
        try:
            view = view[os.write(SOCK, view):]
        except OSError:
            shut_down()

def done(id, code, sig, out, err):
    sig = sig.encode()
    body = struct.pack('<IiB', id, code, len(sig)) + sig + struct.pack('<I', len(out)) + out + err
    send(struct.pack('<I', len(body)) + body)

# Capture files: unlinked temp files, reused from job to job (creating and unlinking a file
# costs more than a spawn on some file systems). A job's pair goes back to spare only once its
# process group is gone, so no process of it can still write there.
def capture_file():
    global captures
    captures += 1
    path = '%s/crew-%d-%d' % (tmpdir, os.getpid(), captures)
    fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o600)
    os.unlink(path)
    return fd

def capture_files():
    if spare:
        return spare.pop()
    out = capture_file()
    try:
        return out, capture_file()
    except OSError:
        os.close(out)
        raise

# Everything written to a capture file (most often nothing); it is then empty and at its start.
def drain(fd):
    size = os.fstat(fd).st_size
    if size == 0:
        return b''
    chunks = []
    offset = 0
    while True:
        chunk = os.pread(fd, max(size - offset, 65536), offset)
        if not chunk:
            break
        chunks.append(chunk)
        offset += len(chunk)
    os.ftruncate(fd, 0)
    os.lseek(fd, 0, os.SEEK_SET)
    return b''.join(chunks)

def spawn(program, argv, actions):
    return os.posix_spawnp(program, argv, os.environ, file_actions=actions,
                           setpgroup=0, setsigdef=DEFAULTS, setsigmask=())

# Where execvp would find the program: itself when it names a path, else on PATH.
def locate(program):
    if b'/' in program:
        return program
    for folder in os.environb.get(b'PATH', b'/bin:/usr/bin').split(b':'):
        path = os.path.join(folder or b'.', program)
        if os.path.isfile(path) and os.access(path, os.X_OK):
            return path
    return program

def start(id, argv):
    out = err = None
    try:
        if capture:
            out, err = capture_files()
        actions = [(os.POSIX_SPAWN_DUP2, null, 0)]
        if capture:
            actions += [(os.POSIX_SPAWN_DUP2, out, 1), (os.POSIX_SPAWN_DUP2, err, 2)]
        try:
            pid = spawn(argv[0], argv, actions)
        except OSError as e:
            if e.errno != errno.ENOEXEC:
                raise
            # As execvp does (and so the other spawners): an executable file with no #! line
            # and no binary format is a script for /bin/sh.
            pid = spawn(b'/bin/sh', [b'/bin/sh', locate(argv[0])] + argv[1:], actions)
    except (OSError, ValueError) as e:
        if out is not None:
            spare.append((out, err))
        if isinstance(e, FileNotFoundError):
            reason = 'command not found'
        else:
            reason = e.strerror if isinstance(e, OSError) and e.strerror else str(e)
        line = 'crew: %s: %s\n' % (os.fsdecode(argv[0]), reason)
        return done(id, 127, '', b'', os.fsencode(line))
    jobs[pid] = [id, out, err, None, None, None]
    pid_of[id] = pid

def stop(id):
    pid = pid_of.get(id)
    if pid is None or pid in stopping:
        return
    stopping.add(pid)
    kill_group(pid, signal.SIGTERM)
    jobs[pid][KILL_AT] = time.monotonic() + grace

def finish(pid):
    id, out, err, status, _, _ = jobs.pop(pid)
    stopping.discard(pid)
    del pid_of[id]
    code, sig = -1, ''
    if os.WIFEXITED(status):
        code = os.WEXITSTATUS(status)
    elif os.WIFSIGNALED(status):
        number = os.WTERMSIG(status)
        try:
            sig = signal.Signals(number).name
        except ValueError:
            sig = 'SIG%d' % number
    data = (drain(out), drain(err)) if out is not None else (b'', b'')
    if out is not None:
        if group_gone(pid):
            spare.append((out, err))
        else:
            os.close(out)
            os.close(err)
    done(id, code, sig, data[0], data[1])

def reap():
    while True:
        try:
            pid, status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return
        job = jobs.get(pid)
        if job is None:
            continue
        job[STATUS] = status
        if pid in stopping:
            kill_group(pid, signal.SIGKILL)
            job[GONE_BY] = time.monotonic() + grace
        else:
            finish(pid)

# Stopped jobs: SIGKILL when the grace is up; answer once the group is gone. Returns how long
# the loop may wait before it must look again (None: until something happens).
def tend():
    if not stopping:
        return None
    now = time.monotonic()
    wait = None
    for pid in list(stopping):
        job = jobs[pid]
        if job[STATUS] is not None:
            if group_gone(pid) or now >= job[GONE_BY]:
                finish(pid)
                continue
            wait = 0.002
        elif job[KILL_AT] is not None:
            if now >= job[KILL_AT]:
                kill_group(pid, signal.SIGKILL)
                job[KILL_AT] = None
            else:
                left = job[KILL_AT] - now
                wait = left if wait is None or left < wait else wait
    return wait

inbuf = b''
def requests():
    global inbuf
    offset = 0
    while len(inbuf) - offset >= 4:
        (length,) = struct.unpack_from('<I', inbuf, offset)
        if len(inbuf) - offset < 4 + length:
            break
        kind, id = struct.unpack_from('<BI', inbuf, offset + 4)
        payload = inbuf[offset + 9:offset + 4 + length]
        offset += 4 + length
        if kind == RUN:
            start(id, payload.split(b'\0'))
        elif kind == STOP:
            stop(id)
        elif kind == KILL_ALL:
            kill_all()
    inbuf = inbuf[offset:]

# A child's exit wakes select() through this pipe (no window between reaping and waiting).
wake_r, wake_w = os.pipe()
for fd in (wake_r, wake_w):
    os.set_blocking(fd, False)
    os.set_inheritable(fd, False)
signal.set_wakeup_fd(wake_w, warn_on_full_buffer=False)
signal.signal(signal.SIGCHLD, lambda *_: None)
for s in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
    signal.signal(s, shut_down)

try:
    # Ready: the answer with id 0, which no job has.
    done(0, 0, '', b'', b'')
    while True:
        reap()
        wait = tend()
        readable, _, _ = select.select([SOCK, wake_r], [], [], wait)
        if wake_r in readable:
            try:
                while os.read(wake_r, 512):
                    pass
            except BlockingIOError:
                pass
        if SOCK in readable:
            try:
                got = os.read(SOCK, 65536)
            except OSError:
                shut_down()
            if not got:
                shut_down()
            inbuf += got
            requests()
finally:
    kill_all()
`;
