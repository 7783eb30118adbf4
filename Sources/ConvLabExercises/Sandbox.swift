import ConvLabCore
import Foundation
import Synchronization

/// Runs a student's program where it can do no harm: compiled and run with bubblewrap in
/// namespaces of its own (no network, its own PID namespace so every descendant dies with it,
/// no IPC or host name), a read-only view of the toolchain and system libraries only, one
/// private writable scratch folder, and resource limits (CPU time, address space, file size,
/// processes). Outside processes, the course folder, the home folder and the grader's /proc
/// are not in its view.
///
/// When the grader runs as root, the program also runs as the unprivileged user `nobody`
/// (65534): the kernel enforces the process limit only for non-root users, and a fork bomb
/// must hit it.
///
/// `Sandbox.isolation = .trusted` (`--no-sandbox`) runs without bubblewrap, for code the
/// grader trusts (an instructor's reference solution); the limits still apply.
public enum Sandbox {
  /// How student code runs.
  public enum Isolation: Sendable, Equatable {
    /// bubblewrap namespaces, read-only system, private scratch, resource limits.
    case sandboxed
    /// Only resource limits (`--no-sandbox`): for trusted code.
    case trusted
  }

  /// Resource limits of one run.
  public struct Limits: Sendable {
    /// CPU seconds (RLIMIT_CPU); the wall-clock limit is separate.
    public var cpuSeconds: Int
    /// Address space (RLIMIT_AS).
    public var memoryBytes: Int
    /// Largest file the program may write, its captured output included (RLIMIT_FSIZE).
    public var fileBytes: Int
    /// Processes and threads (RLIMIT_NPROC; enforced for the unprivileged sandbox user).
    public var processes: Int

    /// Compiling one small Swift file.
    public static let compile = Limits(cpuSeconds: 300, memoryBytes: 4 << 30, fileBytes: 256 << 20, processes: 64)
    /// Running a student's program on a handful of small instances.
    public static func run(seconds: Double) -> Limits {
      Limits(cpuSeconds: Int(seconds.rounded(.up)) + 1, memoryBytes: 2 << 30, fileBytes: outputCap, processes: 32)
    }
  }

  /// The most bytes of standard output or error read back from a student's program (16 MiB).
  public static let outputCap = 16 << 20
  /// The most bytes a program may leave in its scratch folder (/work and /tmp): 512 MiB, far
  /// above a compiled exercise (a few MiB).
  public static let scratchCap = 512 << 20

  private static let setting = Mutex<Isolation>(.sandboxed)
  private static let probed = Mutex<Result<Void, ConvLabError>?>(nil)

  /// The isolation in force for this process (the CLI's `--no-sandbox` sets `.trusted`).
  public static var isolation: Isolation {
    get { setting.withLock { $0 } }
    set { setting.withLock { $0 = newValue } }
  }

  /// The uid/gid the sandboxed program runs as when the grader is root.
  static let nobody = 65534

  /// What one run produced.
  struct Outcome {
    var status: Int32
    var timedOut: Bool
    var signaled: Bool
    var stdout: Data
    var stderr: Data
    /// True when the output reached `outputCap` (the program was stopped at the file-size limit).
    var truncated: Bool
  }

  /// A private folder for one grading run: `ROOT/` (0700, the grader's) holds the captured
  /// output and `ROOT/work/` (0700, the sandbox user's), the only folder the program can write.
  /// Removed by `remove()`; folders left by a grader that died are removed by the next one.
  public final class Scratch {
    public let root: String
    public let work: String

    public static let prefix = "convlab-grade-"

    public init() throws {
      let base = FileManager.default.temporaryDirectory.path
      Scratch.sweep(base)
      var template = Array("\(base)/\(Scratch.prefix)\(getpid())-XXXXXX".utf8CString)
      let made = template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }
      guard made != nil else { throw ConvLabError("cannot create a private scratch folder in \(base): \(String(cString: strerror(errno))).") }
      root = String(cString: template.withUnsafeBufferPointer { $0.baseAddress! })
      work = root + "/work"
      guard mkdir(work, 0o700) == 0 else { throw ConvLabError("cannot create \(work): \(String(cString: strerror(errno))).") }
      if getuid() == 0, Sandbox.isolation == .sandboxed {
        // The sandbox user must pass through ROOT to reach work/ (bubblewrap binds it as that
        // user): ROOT becomes traversable but not listable; the files the grader keeps there
        // are created 0600.
        guard chmod(root, 0o711) == 0 else { throw ConvLabError("cannot set the mode of \(root): \(String(cString: strerror(errno))).") }
        guard chown(work, uid_t(Sandbox.nobody), gid_t(Sandbox.nobody)) == 0 else {
          throw ConvLabError("cannot hand \(work) to the sandbox user: \(String(cString: strerror(errno))).")
        }
      }
    }

    public func remove() { try? FileManager.default.removeItem(atPath: root) }

    /// Removes scratch folders whose grader process no longer exists (a crash or SIGKILL
    /// skipped their removal). The folder name carries the grader's pid.
    static func sweep(_ base: String) {
      guard let names = try? FileManager.default.contentsOfDirectory(atPath: base) else { return }
      for name in names where name.hasPrefix(prefix) {
        let digits = name.dropFirst(prefix.count).prefix { $0.isNumber }
        guard let pid = Int32(digits), pid != getpid() else { continue }
        if kill(pid, 0) != 0 && errno == ESRCH {
          var info = stat()
          // Only our own folders: never follow a link or touch another user's files.
          guard lstat("\(base)/\(name)", &info) == 0, (info.st_mode & S_IFMT) == S_IFDIR, info.st_uid == getuid() else { continue }
          try? FileManager.default.removeItem(atPath: "\(base)/\(name)")
        }
      }
    }
  }

  /// `bwrap`: $CONVLAB_BWRAP, else the first on PATH.
  public static var bwrap: String? { tool("bwrap", env: "CONVLAB_BWRAP") }

  static func tool(_ name: String, env: String? = nil) -> String? {
    let environment = ProcessInfo.processInfo.environment
    if let env, let s = environment[env], FileManager.default.isExecutableFile(atPath: s) { return s }
    for dir in (environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":") + ["/usr/bin", "/usr/sbin"] {
      let path = "\(dir)/\(name)"
      if FileManager.default.isExecutableFile(atPath: path) { return path }
    }
    return nil
  }

  /// The folder holding the toolchain of `swiftc` (e.g. /opt/swift for /opt/swift/usr/bin/swiftc).
  static func toolchainRoot(_ swiftc: String) -> String {
    let real = URL(fileURLWithPath: swiftc).resolvingSymlinksInPath()
    // …/usr/bin/swiftc → …
    let root = real.deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
    return root.isEmpty ? "/" : root
  }

  /// The command line that runs `program arguments` in the sandbox with `limits`, the scratch
  /// folder mounted at /work and the toolchain of `swiftc` visible read-only.
  public static func commandLine(_ program: String, _ arguments: [String], scratch: Scratch, limits: Limits, toolchain: String?, bwrap: String? = Sandbox.bwrap) throws -> [String] {
    guard let prlimit = tool("prlimit") else {
      throw ConvLabError("prlimit (util-linux) is not installed: student code cannot be run with resource limits.")
    }
    var line = [
      prlimit, "--cpu=\(limits.cpuSeconds)", "--as=\(limits.memoryBytes)", "--fsize=\(limits.fileBytes)",
      "--nproc=\(limits.processes)", "--core=0", "--",
    ]
    guard isolation == .sandboxed else { return line + [program] + arguments }
    guard let bwrap else {
      throw ConvLabError.worded(
        "bubblewrap (bwrap) is not installed, so student code cannot be isolated; run `make setup` (Debian package bubblewrap), or pass \(setting: "no-sandbox") for code you trust.")
    }
    if getuid() == 0 {
      guard let setpriv = tool("setpriv") else {
        throw ConvLabError.worded("setpriv (util-linux) is not installed: student code would run as root; install util-linux or pass \(setting: "no-sandbox") for code you trust.")
      }
      line += [setpriv, "--reuid=\(nobody)", "--regid=\(nobody)", "--clear-groups", "--inh-caps=-all", "--"]
    }
    line += [bwrap, "--unshare-all", "--die-with-parent", "--new-session", "--cap-drop", "ALL"]
    // The system, read-only: programs, libraries and headers (the Glibc module), nothing else of /usr.
    line += [
      "--ro-bind", "/usr/bin", "/usr/bin", "--ro-bind", "/usr/lib", "/usr/lib", "--ro-bind-try", "/usr/lib64", "/usr/lib64",
      "--ro-bind-try", "/usr/include", "/usr/include", "--ro-bind-try", "/usr/libexec", "/usr/libexec",
      "--symlink", "usr/bin", "/bin", "--symlink", "usr/lib", "/lib", "--symlink", "usr/lib64", "/lib64",
      "--ro-bind-try", "/etc/ld.so.cache", "/etc/ld.so.cache", "--ro-bind-try", "/etc/alternatives", "/etc/alternatives",
    ]
    if let toolchain, !toolchain.hasPrefix("/usr/"), toolchain != "/usr", toolchain != "/" {
      line += ["--ro-bind", toolchain, toolchain]
    }
    line += [
      "--proc", "/proc", "--dev", "/dev", "--bind", scratch.work, "/tmp", "--bind", scratch.work, "/work", "--chdir", "/work",
      "--remount-ro", "/", "--clearenv", "--setenv", "HOME", "/work", "--setenv", "TMPDIR", "/tmp",
      "--setenv", "PATH", [toolchain.map { "\($0)/usr/bin" }, "/usr/bin"].compactMap { $0 }.joined(separator: ":"),
    ]
    return line + [program] + arguments
  }

  /// Checks once per process that the sandbox starts here, or throws the reason in one line.
  public static func requireAvailable(scratch: Scratch) throws {
    guard isolation == .sandboxed else { return }
    let result: Result<Void, ConvLabError> = probed.withLock { cached in
      if let cached { return cached }
      let outcome: Result<Void, ConvLabError>
      do {
        let line = try commandLine("/bin/true", [], scratch: scratch, limits: .run(seconds: 5), toolchain: nil)
        let run = try execute(line, input: nil, scratch: scratch, timeout: 20)
        if run.status == 0 && !run.timedOut {
          outcome = .success(())
        } else {
          let why = String(decoding: run.stderr.prefix(300), as: UTF8.self).split(separator: "\n").first.map(String.init) ?? "exit status \(run.status)"
          outcome = .failure(ConvLabError.worded("the sandbox for student code does not start here (\(why)); fix bubblewrap or pass \(setting: "no-sandbox") for code you trust."))
        }
      } catch let e as ConvLabError {
        outcome = .failure(e)
      } catch {
        outcome = .failure(ConvLabError("the sandbox for student code does not start here: \(error)."))
      }
      cached = outcome
      return outcome
    }
    try result.get()
  }

  /// Runs `program arguments` in the sandbox, with standard input `input`, killing it (and
  /// with it its whole PID namespace) after `timeout` seconds of wall-clock time.
  static func run(_ program: String, _ arguments: [String], input: Data?, scratch: Scratch, limits: Limits, toolchain: String?, timeout: Double) throws -> Outcome {
    try requireAvailable(scratch: scratch)
    let line = try commandLine(program, arguments, scratch: scratch, limits: limits, toolchain: toolchain)
    return try execute(line, input: input, scratch: scratch, timeout: timeout)
  }

  private static func execute(_ line: [String], input: Data?, scratch: Scratch, timeout: Double) throws -> Outcome {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: line[0])
    process.arguments = Array(line.dropFirst())
    // Trusted runs work in the scratch folder; sandboxed ones see it as /work.
    process.currentDirectoryURL = URL(fileURLWithPath: scratch.work)
    process.environment = ["PATH": "/usr/bin:/bin", "HOME": scratch.work, "TMPDIR": scratch.work]
    // Output goes to files in the grader's part of the scratch folder, which the program cannot
    // see; RLIMIT_FSIZE stops a program that floods them, and only `outputCap` bytes are read back.
    let outPath = scratch.root + "/stdout"
    let errPath = scratch.root + "/stderr"
    let inPath = scratch.root + "/stdin"
    let privateFile: [FileAttributeKey: Any] = [.posixPermissions: 0o600]
    guard FileManager.default.createFile(atPath: outPath, contents: nil, attributes: privateFile),
      FileManager.default.createFile(atPath: errPath, contents: nil, attributes: privateFile),
      let out = FileHandle(forWritingAtPath: outPath), let err = FileHandle(forWritingAtPath: errPath)
    else {
      throw ConvLabError("cannot create output files in the scratch folder \(scratch.root).")
    }
    defer {
      try? out.close()
      try? err.close()
    }
    process.standardOutput = out
    process.standardError = err
    if let input {
      guard FileManager.default.createFile(atPath: inPath, contents: input, attributes: privateFile) else {
        throw ConvLabError("cannot write the program's input in the scratch folder \(scratch.root).")
      }
      process.standardInput = FileHandle(forReadingAtPath: inPath)
    } else {
      process.standardInput = FileHandle.nullDevice
    }
    do { try process.run() } catch { throw ConvLabError("cannot start \(line[0]): \(error.localizedDescription)") }
    let deadline = Date().addingTimeInterval(timeout)
    // A program that keeps writing after its output reached the cap (SIGXFSZ can be ignored, and
    // then writes just fail) is stopped here rather than at the time limit.
    func flooded() -> Bool {
      [outPath, errPath].contains { ((try? FileManager.default.attributesOfItem(atPath: $0))?[.size] as? Int ?? 0) >= outputCap }
    }
    // /tmp is the scratch folder on disk (a tmpfs would take memory no rlimit counts); what the
    // program writes there is bounded too, checked every half second.
    func scratchBytes() -> Int {
      var total = 0
      let items = FileManager.default.enumerator(atPath: scratch.work)
      while let name = items?.nextObject() as? String {
        total += (try? FileManager.default.attributesOfItem(atPath: scratch.work + "/" + name))?[.size] as? Int ?? 0
      }
      return total
    }
    var floodedOutput = false
    var polls = 0
    while process.isRunning && Date() < deadline {
      usleep(20_000)
      polls += 1
      if flooded() || (polls % 25 == 0 && scratchBytes() > scratchCap) {
        floodedOutput = true
        kill(process.processIdentifier, SIGKILL)
        break
      }
    }
    var timedOut = false
    if process.isRunning && !floodedOutput {
      timedOut = true
      // prlimit and setpriv exec, so this pid is bwrap's; its sandbox init dies with it
      // (--die-with-parent) and takes the whole PID namespace along.
      kill(process.processIdentifier, SIGKILL)
    }
    process.waitUntilExit()
    func capped(_ path: String) -> (Data, Bool) {
      guard let h = FileHandle(forReadingAtPath: path) else { return (Data(), false) }
      defer { try? h.close() }
      let data = (try? h.read(upToCount: outputCap + 1)) ?? Data()
      return (data.prefix(outputCap), data.count >= outputCap)
    }
    let (stdout, outTruncated) = capped(outPath)
    let (stderr, errTruncated) = capped(errPath)
    return Outcome(
      status: process.terminationStatus, timedOut: timedOut, signaled: process.terminationReason == .uncaughtSignal,
      stdout: stdout, stderr: stderr, truncated: floodedOutput || outTruncated || errTruncated)
  }
}
