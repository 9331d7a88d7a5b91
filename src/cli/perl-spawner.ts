/**
 * The spawner in Perl: the same process, protocol and guarantees as spawner.ts, for systems
 * that have `perl` (every Debian and Ubuntu system: `perl-base` is essential; macOS) but no
 * working python3 (python-spawner.ts, faster still). On a machine with cheap forks, `crew run`
 * runs about 1.6 times as many short commands a second with it as with Node.js spawners.
 *
 * Why: starting a command is a fork(2) and an exec(2), and a fork costs in proportion to the
 * forking process's memory (its page tables are copied, then torn down again at exec). A
 * Node.js process maps about 40 MB, a Perl one about 8 MB, and Node.js adds its ChildProcess
 * bookkeeping on top: on a 2-core machine a bare loop spawning `true` 8 at a time runs about
 * 520 a second in Node.js and 1,100 to 1,400 in Perl, near `xargs -P 8`.
 *
 * It uses only modules of `perl-base` (POSIX, Fcntl, Errno, Config). Each command runs exactly
 * as runCommand (command.ts) runs it: no shell (`exec` of the argument list), its own process
 * group, stdin from /dev/null, stdout and stderr to two unlinked temp files when captured, exit
 * code 127 and a line on stderr when it cannot be started. Stopping one: SIGTERM to its group,
 * SIGKILL `killGrace` ms later; once its leader has exited the rest of the group gets SIGKILL
 * and the answer waits (at most `killGrace` ms) until the group is gone. crew's socket closing
 * (crew exited, crashed or was SIGKILLed), or a signal to the spawner, SIGKILLs every running
 * group, and the spawner exits.
 *
 * Arguments: capture (0 or 1), killGrace in ms, the temp directory, then crew's `PERL*` variables
 * as `NAME=value` (perl itself runs without them, see spawners.ts). Requests carry the argv as
 * its arguments joined with NUL bytes (no argument can hold one: exec takes C strings).
 */
export const PERL_SPAWNER = String.raw`
use strict;
use warnings;
# A perl without these modules (a trimmed install) cannot run this spawner: exit quietly, and
# crew starts Node.js spawners instead.
BEGIN { eval { require POSIX; require Fcntl; require Errno; require Config; 1 } or exit 3 }
use POSIX ();
use Fcntl qw(F_GETFD F_SETFD FD_CLOEXEC O_RDWR O_CREAT O_EXCL);
use Errno qw(EINTR EAGAIN ENOENT ESRCH);
use Config;

my ($capture, $grace, $tmpdir, @restore) = @ARGV;
# crew ran perl without its PERL* variables (and PERL_BADLANG=0); the commands get crew's own.
delete $ENV{$_} for grep { /^PERL/ } keys %ENV;
for (@restore) { my ($name, $value) = split /=/, $_, 2; $ENV{$name} = $value }
my ($RUN, $STOP, $KILL_ALL) = (1, 2, 3);
my @signame = split ' ', $Config{sig_name};
my $hz = POSIX::sysconf(POSIX::_SC_CLK_TCK()) || 100;
sub now_ms { return (POSIX::times())[0] * 1000 / $hz }

open(my $sock, '+<&=', 3) or die "crew spawner: fd 3: $!\n";
binmode $sock;
my $flags = fcntl($sock, F_GETFD, 0);
fcntl($sock, F_SETFD, $flags | FD_CLOEXEC);

# The running jobs by leader pid, and their pids by id. A job is
# { id, out, err, kill_at, gone_by, status }: status is set once its leader is reaped. The pids of
# the jobs being stopped are also in %stopping (most loops have none to tend).
my %jobs;
my %stopping;
my %pid_of;
my $inbuf = '';
my $captures = 0;
my $reaped = 0;

$SIG{CHLD} = sub { $reaped = 1 };
# Caught, not ignored: a write to crew's closed socket fails with EPIPE instead of killing
# the spawner, and a command does not inherit an ignored SIGPIPE.
$SIG{PIPE} = sub { };
open(my $null_fh, '<', '/dev/null') or die "crew spawner: /dev/null: $!\n";
my $null = fileno($null_fh);
$SIG{$_} = \&shut_down for qw(INT TERM HUP);

sub kill_group { my ($pid, $sig) = @_; kill $sig, -$pid }

sub shut_down {
  kill_group($_, 'KILL') for keys %jobs;
  POSIX::_exit(0);
}

sub send_frame {
  my ($frame) = @_;
  my $off = 0;
  while ($off < length $frame) {
    my $n = syswrite($sock, $frame, length($frame) - $off, $off);
    if (!defined $n) {
      next if $! == EINTR || $! == EAGAIN;
      shut_down();
    }
    $off += $n;
  }
}

sub done {
  my ($id, $code, $sig, $out, $err) = @_;
  my $body = pack('V l< C', $id, $code, length $sig) . $sig . pack('V', length $out) . $out . $err;
  send_frame(pack('V', length $body) . $body);
}

# Capture files: unlinked temp files, reused from job to job (creating and unlinking a file
# costs more than a fork on some file systems). A job's pair goes back to @spare only once its
# process group is gone, so no process of it can still write there.
my @spare;

sub capture_file {
  my $path = $tmpdir . '/crew-' . $$ . '-' . ++$captures;
  sysopen(my $fh, $path, O_RDWR | O_CREAT | O_EXCL, 0600) or return (undef, "$path: $!");
  unlink $path;
  return ($fh, undef);
}

sub capture_files {
  return (@{ pop @spare }, undef) if @spare;
  my ($out, $err, $problem);
  ($out, $problem) = capture_file();
  return (undef, undef, $problem) if defined $problem;
  ($err, $problem) = capture_file();
  if (defined $problem) { close $out; return (undef, undef, $problem) }
  return ($out, $err, undef);
}

# Everything written to a capture file (most often nothing: no read); the file is then empty
# and at its start.
sub drain {
  my ($fh) = @_;
  return '' unless defined $fh && -s $fh;
  my $data = '';
  sysseek($fh, 0, 0);
  while (1) {
    my $n = sysread($fh, $data, 65536, length $data);
    last if defined $n && $n == 0;
    next if !defined $n && $! == EINTR;
    last unless defined $n;
  }
  truncate($fh, 0);
  sysseek($fh, 0, 0);
  return $data;
}

sub start {
  my ($id, @argv) = @_;
  my ($out, $err, $problem) = $capture ? capture_files() : ();
  my $pid = defined $problem ? undef : fork();
  if (!defined $pid) {
    $problem //= "fork: $!";
    push @spare, [$out, $err] if defined $out;
    return done($id, 127, '', '', "crew: $argv[0]: $problem\n");
  }
  if ($pid == 0) {
    # As little as can be between fork and exec: every page Perl touches here is copied.
    # (exec resets the caught signals; none is ignored or blocked.)
    POSIX::setpgid(0, 0);
    POSIX::dup2($null, 0);
    if ($capture) {
      POSIX::dup2(fileno($out), 1);
      POSIX::dup2(fileno($err), 2);
    }
    { no warnings 'exec'; exec { $argv[0] } @argv; }
    my $reason = $! == ENOENT ? 'command not found' : "$!";
    syswrite(STDERR, "crew: $argv[0]: $reason\n");
    POSIX::_exit(127);
  }
  POSIX::setpgid($pid, $pid);
  $jobs{$pid} = { id => $id, out => $out, err => $err };
  $pid_of{$id} = $pid;
}

sub stop {
  my ($id) = @_;
  my $pid = $pid_of{$id};
  return unless defined $pid;
  return if $stopping{$pid};
  $stopping{$pid} = 1;
  kill_group($pid, 'TERM');
  $jobs{$pid}{kill_at} = now_ms() + $grace;
}

sub finish {
  my ($pid) = @_;
  my $job = delete $jobs{$pid};
  delete $stopping{$pid};
  delete $pid_of{$job->{id}};
  my $status = $job->{status};
  my ($code, $sig) = (-1, '');
  if (POSIX::WIFEXITED($status)) { $code = POSIX::WEXITSTATUS($status) }
  elsif (POSIX::WIFSIGNALED($status)) { $sig = 'SIG' . $signame[POSIX::WTERMSIG($status)] }
  my ($out, $err) = (drain($job->{out}), drain($job->{err}));
  if (defined $job->{out}) {
    if (!kill(0, -$pid) && $! == ESRCH) { push @spare, [$job->{out}, $job->{err}] }
    else { close $job->{out}; close $job->{err} }
  }
  done($job->{id}, $code, $sig, $out, $err);
}

sub reap {
  $reaped = 0;
  while ((my $pid = waitpid(-1, POSIX::WNOHANG())) > 0) {
    my $job = $jobs{$pid};
    next unless defined $job;
    $job->{status} = $?;
    if ($stopping{$pid}) {
      kill_group($pid, 'KILL');
      $job->{gone_by} = now_ms() + $grace;
    } else {
      finish($pid);
    }
  }
}

# Stopped jobs: SIGKILL when the grace is up; answer once the group is gone.
sub tend {
  return unless %stopping;
  my $now = now_ms();
  my $wait;
  for my $pid (keys %stopping) {
    my $job = $jobs{$pid};
    if (defined $job->{status}) {
      if (!kill(0, -$pid) && $! == ESRCH || $now >= $job->{gone_by}) { finish($pid); next }
      $wait = 0.002;
    } elsif (defined $job->{kill_at}) {
      if ($now >= $job->{kill_at}) {
        kill_group($pid, 'KILL');
        delete $job->{kill_at};
      } else {
        my $left = ($job->{kill_at} - $now) / 1000;
        $wait = $left if !defined $wait || $left < $wait;
      }
    }
  }
  return $wait;
}

sub requests {
  while (length($inbuf) >= 4) {
    my $length = unpack('V', $inbuf);
    last if length($inbuf) < 4 + $length;
    my ($kind, $id) = unpack('C V', substr($inbuf, 4, 5));
    my $payload = substr($inbuf, 9, $length - 5);
    substr($inbuf, 0, 4 + $length) = '';
    if ($kind == $RUN) { start($id, split(/\0/, $payload, -1)) }
    elsif ($kind == $STOP) { stop($id) }
    elsif ($kind == $KILL_ALL) { kill_group($_, 'KILL') for keys %jobs }
  }
}

END { kill_group($_, 'KILL') for keys %jobs }

# Ready: the answer with id 0, which no job has.
done(0, 0, '', '', '');
while (1) {
  reap();
  my $wait = tend();
  # A SIGCHLD that comes between the reaping above and select() below is seen within 50 ms
  # at worst (a window of a few instructions; the handler's flag closes most of it).
  $wait = 0.05 if %jobs && (!defined $wait || $wait > 0.05);
  $wait = 0 if $reaped;
  my $rin = '';
  vec($rin, 3, 1) = 1;
  my $n = select(my $rout = $rin, undef, undef, $wait);
  next if $n <= 0;
  my $got = sysread($sock, $inbuf, 65536, length $inbuf);
  if (!defined $got) { next if $! == EINTR || $! == EAGAIN; shut_down() }
  shut_down() if $got == 0;
  requests();
}
`;
