import Foundation
import Logging
@testable import TemperModel
@testable import TemperSystem
@testable import TemperExecution
@testable import TemperStages
@testable import TemperCore

/// A private copy of Profiles/demo with a profile pointing at it, and a work dir path.
struct DemoSandbox {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../..").standardizedFileURL.path

    let root: String
    let source: String
    let workDir: String
    let profile: String

    init() throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("temper-it-\(UUID().uuidString)").path
        source = root + "/demo"
        workDir = root + "/work"
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: Self.repository + "/Profiles/demo", toPath: source)
        // The shipped profile, with its source path pointed at the copy.
        let shipped = try String(contentsOfFile: Self.repository + "/Profiles/demo.toml", encoding: .utf8)
        profile = root + "/demo.toml"
        try shipped.write(toFile: profile, atomically: true, encoding: .utf8)
    }

    func profileText(name: String, jobs: Int = 2, repeatCount: Int = 3, onFailure: String = "fail", extraTasks: String = "") -> String {
        let tasks = ["primes", "collatz", "hash", "fib"].map { task in
            "[[train.task]]\nname = \"\(task)\"\nrun = [\"{artifact:tl}\", \"{source}/scripts/\(task).tl\", \"\(repeatCount)\"]\n"
        }.joined(separator: "\n")
        return """
            version = 1
            name = "\(name)"
            [source]
            path = "demo"
            [build]
            build = ["make", "-f", "{source}/Makefile", "-j{jobs}", "SRCDIR={source}", "CC={cc}", "CFLAGS={cflags}", "LDFLAGS={ldflags}"]
            artifacts = ["tl"]
            cflags = ["-O2"]
            [train]
            jobs = \(jobs)
            on_failure = "\(onFailure)"

            \(tasks)
            \(extraTasks)
            """
    }

    func writeProfile(name: String, jobs: Int = 2, repeatCount: Int = 3, onFailure: String = "fail", extraTasks: String = "") throws -> String {
        try writeRaw(name: name + ".toml", profileText(name: name, jobs: jobs, repeatCount: repeatCount, onFailure: onFailure, extraTasks: extraTasks))
    }

    func writeRaw(name: String, _ text: String) throws -> String {
        let path = root + "/" + name
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// Runs a profile in-process into `workDir` (or another work dir), silently.
    func run(_ profile: String, workDir: String? = nil, options: PipelineRun.Options = PipelineRun.Options(jobs: 2)) async throws -> RunReport {
        var options = options
        options.workDir = workDir ?? self.workDir
        return try await PipelineRun(progress: SilentProgress(), logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }))
            .run(profilePath: profile, options: options)
    }

    func appendToSource(_ file: String, _ text: String) throws {
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: source + "/" + file))
        try handle.seekToEnd()
        try handle.write(contentsOf: Data(text.utf8))
        try handle.close()
    }

    /// The profile's [bench] workload, run on a given binary, as the output it prints.
    func bench(_ binary: String) throws -> String {
        try Temper.output(of: binary, [source + "/scripts/bench.tl", "5"])
    }

    /// A directory with temper's LLVM and the llvm-profdata of another major: the trap on
    /// Debian 12 (LLVM 14 in /usr/bin). Falls back to the Swift toolchain's own llvm-profdata.
    func mixedToolchainDirectory() async throws -> (directory: String, otherMajor: Int) {
        let llvm = try await TestLLVM.find()
        let directory = root + "/mixed-bin"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        for tool in ["clang", "clang++", "llvm-ar", "llvm-ranlib", "ld.lld"] {
            try FileManager.default.createSymbolicLink(atPath: directory + "/" + tool, withDestinationPath: llvm.tool(tool))
        }
        let swift = (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":")
            .map { "\($0)/swift" }.first { FileManager.default.isExecutableFile(atPath: $0) }
        let swiftProfdata = swift.map { URL(fileURLWithPath: $0).resolvingSymlinksInPath().deletingLastPathComponent().path + "/llvm-profdata" }
        let candidates = ((try? FileManager.default.contentsOfDirectory(atPath: "/usr/lib")) ?? [])
            .filter { $0.hasPrefix("llvm-") && $0 != "llvm-\(llvm.major)" }.sorted()
            .map { "/usr/lib/\($0)/bin/llvm-profdata" } + [swiftProfdata].compactMap { $0 }
        for candidate in candidates where FileManager.default.isExecutableFile(atPath: candidate) {
            let output = try Temper.output(of: candidate, ["merge", "--version"])
            guard let major = ToolVersion.parse(output)?.major, major != llvm.major else { continue }
            try FileManager.default.createSymbolicLink(atPath: directory + "/llvm-profdata", withDestinationPath: candidate)
            return (directory, major)
        }
        throw CocoaError(.fileNoSuchFile, userInfo: [NSLocalizedDescriptionKey: "no llvm-profdata of a major other than \(llvm.major) is installed"])
    }

    /// temper's LLVM tools, with a clang whose resource directory lacks the profile runtime:
    /// what a machine without libclang-rt-N-dev looks like. (A wrapper script: the real clang
    /// cannot be made to lose its runtime on demand.)
    func toolchainWithoutProfileRuntime() async throws -> String {
        let llvm = try await TestLLVM.find()
        let directory = root + "/no-runtime-bin"
        let resources = root + "/no-runtime-resources"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: resources, withIntermediateDirectories: true)
        let real = llvm.resourceDirectory
        try FileManager.default.createSymbolicLink(atPath: resources + "/include", withDestinationPath: real + "/include")
        for tool in ["llvm-profdata", "llvm-ar", "llvm-ranlib", "ld.lld"] {
            try FileManager.default.createSymbolicLink(atPath: directory + "/" + tool, withDestinationPath: llvm.tool(tool))
        }
        for tool in ["clang", "clang++"] {
            let script = "#!/bin/sh\nexec \(llvm.tool(tool)) -resource-dir \(resources) \"$@\"\n"
            try script.write(toFile: directory + "/" + tool, atomically: true, encoding: .utf8)
            try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: directory + "/" + tool)
        }
        return directory
    }

    /// PIDs of live processes whose command line contains `text`.
    func processes(matching text: String) throws -> [Int32] {
        try FileManager.default.contentsOfDirectory(atPath: "/proc").compactMap { entry in
            guard let pid = Int32(entry), pid != getpid(),
                let data = FileManager.default.contents(atPath: "/proc/\(entry)/cmdline"), !data.isEmpty
            else { return nil }
            let commandLine = String(decoding: data.map { $0 == 0 ? 32 : $0 }, as: UTF8.self)
            let state = (try? String(contentsOfFile: "/proc/\(entry)/stat", encoding: .utf8))?.split(separator: " ").dropFirst(2).first
            return commandLine.contains(text) && state != "Z" ? pid : nil
        }
    }
}

/// Starts the built `temper` executable (next to the test bundle) as a child process.
enum Temper {
    static var executable: String {
        let bundle = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        return URL(fileURLWithPath: bundle).deletingLastPathComponent().appendingPathComponent("temper").path
    }

    static func start(_ arguments: [String], output: String = "/dev/null", in directory: String? = nil) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
        process.arguments = arguments
        process.standardOutput = FileHandle(forWritingAtPath: output)
        process.standardError = FileHandle(forWritingAtPath: output)
        try process.run()
        return process
    }

    /// Waits for the process; returns its exit status, or 128 + the signal that killed it.
    /// Polls instead of blocking: a blocked thread of the 2-thread cooperative pool would starve
    /// the other suites' tests (their waits and kills would come late).
    static func wait(_ process: Process) async -> Int32 {
        while process.isRunning { try? await Task.sleep(for: .milliseconds(20)) }
        process.waitUntilExit()
        return process.terminationReason == .uncaughtSignal ? 128 + process.terminationStatus : process.terminationStatus
    }

    /// Runs temper to completion and returns its exit status and combined output.
    static func run(_ arguments: [String], in directory: String? = nil) async throws -> (Int32, String) {
        let log = FileManager.default.temporaryDirectory.appendingPathComponent("temper-out-\(UUID().uuidString)").path
        FileManager.default.createFile(atPath: log, contents: nil)
        defer { try? FileManager.default.removeItem(atPath: log) }
        let status = await wait(try start(arguments, output: log, in: directory))
        return (status, (try? String(contentsOfFile: log, encoding: .utf8)) ?? "")
    }

    static func output(of executable: String, _ arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: data, as: UTF8.self)
    }

    static func waitUntil(timeout: Double, _ condition: () -> Bool) async throws {
        let deadline = ContinuousClock.now + .seconds(timeout)
        while !condition() {
            guard ContinuousClock.now < deadline else { throw CancellationError() }
            try await Task.sleep(for: .milliseconds(100))
        }
    }
}
