import TemperModel
/// The command lines of the external tools (llvm-profdata, gcov-tool, llvm-bolt, merge-fdata,
/// perf2bolt), built in one place so that the stages and the doctor's probes run the tools
/// the same way: a flag fixed here is fixed everywhere.
public enum ToolCommands {
    public static func profdataMerge(_ profdata: String, threads: String, output: String, inputList: String, directory: String) -> Command {
        Command(executable: profdata, arguments: ["merge", "--num-threads=\(threads)", "--output=\(output)", "--input-files=\(inputList)"], workingDirectory: directory)
    }

    public static func profdataMerge(_ profdata: String, output: String, inputs: [String], directory: String) -> Command {
        Command(executable: profdata, arguments: ["merge", "--output=\(output)"] + inputs, workingDirectory: directory)
    }

    /// `llvm-profdata merge` of weighted inputs on one thread: the same inputs give the same bytes.
    public static func profdataMergeWeighted(_ profdata: String, output: String, inputs: [(weight: Int, path: String)], directory: String) -> Command {
        Command(
            executable: profdata, arguments: ["merge", "--num-threads=1", "--output=\(output)"] + inputs.map { "--weighted-input=\($0.weight),\($0.path)" },
            workingDirectory: directory)
    }

    public static func profdataShow(_ profdata: String, _ options: [String], _ file: String, directory: String) -> Command {
        Command(executable: profdata, arguments: ["show"] + options + [file], workingDirectory: directory)
    }

    /// `gcov-dump -l` on every `.gcda` file under a directory, through find (an argv, no shell):
    /// gcov-dump reads files only, and which files a merge leaves is known only when it ran.
    public static func gcovDumpAll(_ gcovDump: String, under root: String, directory: String) -> Command {
        Command(executable: "find", arguments: [root, "-type", "f", "-name", "*.gcda", "-exec", gcovDump, "-l", "{}", "+"], workingDirectory: directory)
    }

    /// `gcov-tool merge`, which takes two directories at a time.
    public static func gcovMerge(_ gcovTool: String, output: String, _ first: String, _ second: String, directory: String) -> Command {
        Command(executable: gcovTool, arguments: ["merge", "-o", output, first, second], workingDirectory: directory)
    }

    /// `llvm-bolt -instrument`, writing one profile per process to `profileFile`.
    public static func boltInstrument(_ tools: BoltTools, input: String, profileFile: String, output: String, directory: String) -> Command {
        var arguments = [input, "-instrument", "-instrumentation-file=\(profileFile)", "-instrumentation-file-append-pid"]
        if let runtime = tools.runtimeLibrary { arguments.append("-runtime-instrumentation-lib=\(runtime)") }
        arguments += ["-o", output]
        return Command(executable: tools.bolt?.path ?? "llvm-bolt", arguments: arguments, workingDirectory: directory)
    }

    /// `llvm-bolt -data=...` with the given optimization flags and temper's reporting flags.
    /// BOLT writes its command line into the binary (`.note.bolt_info`): the paths are given
    /// relative to its working directory, so a shipped binary does not name the work dir.
    public static func boltOptimize(_ tools: BoltTools, input: String, profile: String, output: String, flags: [String], directory: String) -> Command {
        let relative = { (path: String) in relativePath(path, from: directory) }
        return Command(
            executable: tools.bolt?.path ?? "llvm-bolt",
            arguments: [relative(input), "-data=\(relative(profile))", "-o", relative(output)] + flags + BoltTools.reportingFlags.filter { !flags.contains($0) },
            workingDirectory: directory)
    }

    /// `path` relative to `directory` (both absolute and standardized; a relative `path` is
    /// returned as it is).
    package static func relativePath(_ path: String, from directory: String) -> String {
        guard path.hasPrefix("/"), directory.hasPrefix("/") else { return path }
        let target = path.split(separator: "/"), base = directory.split(separator: "/")
        var common = 0
        while common < min(target.count, base.count), target[common] == base[common] { common += 1 }
        let parts = Array(repeating: "..", count: base.count - common) + target[common...].map(String.init)
        return parts.isEmpty ? "." : parts.joined(separator: "/")
    }

    /// `llvm-bolt -w`: a profile in BOLT's YAML form (with block hashes, for stale matching),
    /// read against the binary it was recorded on; the rewritten binary is thrown away.
    public static func boltWriteYAML(_ bolt: String, binary: String, profile: String, yaml: String, output: String, directory: String) -> Command {
        Command(executable: bolt, arguments: [binary, "-data=\(profile)", "-w", yaml, "-o", output], workingDirectory: directory)
    }

    public static func mergeFdata(_ tools: BoltTools, output: String, inputs: [String], directory: String) -> Command {
        Command(executable: tools.mergeFdata?.path ?? "merge-fdata", arguments: ["-o", output] + inputs, workingDirectory: directory)
    }

    /// GNU time around a command: user and system CPU seconds and peak RSS (KB) into `usageFile`.
    public static func gnuTime(_ command: Command, usageFile: String, time: String) -> Command {
        var timed = command
        timed.executable = time
        timed.arguments = ["-f", "%U %S %M", "-o", usageFile, "--", command.executable] + command.arguments
        return timed
    }

    /// callgrind around a command, counting instructions only (no output file).
    public static func callgrind(_ command: Command) -> Command {
        var counted = command
        counted.executable = "valgrind"
        counted.arguments = ["--tool=callgrind", "--callgrind-out-file=/dev/null", command.executable] + command.arguments
        return counted
    }

    /// cachegrind with the cache and branch simulators: instructions, I1/LLi misses and
    /// mispredicted branches of the command, deterministic for a single-threaded program.
    public static func cachegrind(_ command: Command) -> Command {
        var counted = command
        counted.executable = "valgrind"
        counted.arguments = ["--tool=cachegrind", "--cache-sim=yes", "--branch-sim=yes", "--cachegrind-out-file=/dev/null", command.executable] + command.arguments
        return counted
    }

    /// The command under `perf stat -x,` counting `events`, its figures written to `output`.
    public static func perfStat(_ command: Command, events: [String], output: String) -> Command {
        var counted = command
        counted.executable = "perf"
        counted.arguments = ["stat", "-x,", "-o", output, "-e", events.joined(separator: ","), "--", command.executable] + command.arguments
        return counted
    }

    /// Whether `perf stat` can count hardware events here (it cannot on most shared VMs).
    public static func perfStatProbe(directory: String) -> Command {
        Command(executable: "perf", arguments: ["stat", "-x,", "-e", "instructions,cycles", "--", "true"], workingDirectory: directory)
    }

    public static func perf2bolt(_ tools: BoltTools, perfData: String, binary: String, output: String, directory: String) -> Command {
        Command(
            executable: tools.perf2bolt?.path ?? "perf2bolt",
            arguments: ["-p", perfData, "-o", output] + [tools.noLBRFlag].compactMap { $0 } + [binary],
            workingDirectory: directory)
    }
}
