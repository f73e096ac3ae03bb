import TemperModel
import TemperSystem
import TemperExecution
import TemperStages
import Foundation
import Logging

/// Checks a toolchain before anything is built: lists its tools with versions, then runs
/// probes in a scratch directory. The PGO probes run the real stages (the same composer and
/// executor as `temper run`) on a tiny C project, so a probe exercises exactly what a run will.
public struct Doctor: Sendable {
    let runner: any ProcessRunning

    public init(runner: any ProcessRunning = SubprocessRunner()) {
        self.runner = runner
    }

    /// Stage to probe name: what each step proves.
    static let probeNames: [StageID: String] = [
        .instrument: "instrumented-build", .train: "instrumented-run", .merge: "merge-profile", .optimize: "optimize-lto",
    ]

    /// The full examination for `temper doctor`: tools, versions and every probe.
    public func examine(llvmBin: String?, family: CompilerFamily, scratch: WorkDir) async -> (DoctorReport, Toolchain?) {
        let resolver = ToolchainResolver(runner: runner)
        let toolchain: Toolchain
        let start = ContinuousClock.now
        do {
            toolchain = try await resolver.resolve(llvmBin: llvmBin, family: family)
        } catch {
            var tools: [DoctorReport.ToolEntry] = []
            if case ToolchainError.mixedVersions(let compiler, let mismatched) = error {
                tools = ([compiler] + mismatched).map(Self.entry)
            }
            let probe = DoctorReport.Probe(
                name: "versions", ok: false, seconds: start.duration(to: .now).seconds, message: "\(error)", required: true,
                fix: nil)
            return (DoctorReport(toolchain: nil, tools: tools, probes: [probe]), nil)
        }
        let bolt = await resolver.boltTools(for: toolchain)
        let perf = await resolver.optionalTool("perf", role: "perf", major: nil, in: resolver.pathDirectories)
        let order = ["cc", "cxx", "linker", "ar", "ranlib", "profdata", "dump"]
        var tools = toolchain.tools.sorted { order.firstIndex(of: $0.role) ?? 99 < order.firstIndex(of: $1.role) ?? 99 }.map(Self.entry)
        for (name, tool) in zip(["llvm-bolt", "merge-fdata", "perf2bolt"], bolt.tools) {
            tools.append(tool.map(Self.entry) ?? DoctorReport.ToolEntry(name: name, role: "bolt"))
        }
        tools.append(perf.map(Self.entry) ?? DoctorReport.ToolEntry(name: "perf", role: "perf"))
        var probes = [DoctorReport.Probe(
            name: "versions", ok: true, seconds: start.duration(to: .now).seconds,
            message: "\(toolchain.summary): \(toolchain.versionLockedTools.map(\.name).joined(separator: ", ")) share major \(toolchain.cc.major)",
            required: true)]
        probes += await pgoProbes(toolchain, scratch: scratch)
        probes.append(await boltProbe(toolchain, bolt: bolt, scratch: scratch))
        return (DoctorReport(toolchain: "\(toolchain.summary) in \(toolchain.directory) (\(toolchain.origin))", tools: tools, probes: probes), toolchain)
    }

    /// Every program the profile's commands run is installed (cmake, ninja, the workload's
    /// interpreter...); a missing one is named with its Debian package.
    public static func programsProbe(_ profile: PipelineProfile) -> DoctorReport.Probe {
        let entries = ProfilePrograms.check(profile)
        let missing = entries.filter { $0.path == nil }
        let packages = Array(Set(missing.compactMap(\.package))).sorted()
        return DoctorReport.Probe(
            name: "programs", ok: missing.isEmpty, seconds: 0,
            message: missing.isEmpty
                ? "the profile's commands run \(entries.map(\.name).joined(separator: ", ")): all found"
                : "missing:\n" + ProfilePrograms.describe(missing: missing),
            required: true, fix: packages.isEmpty ? nil : "apt-get install \(packages.joined(separator: " "))")
    }

    static func entry(_ tool: Tool) -> DoctorReport.ToolEntry {
        DoctorReport.ToolEntry(name: tool.name, role: tool.role, path: tool.path, version: tool.version, major: tool.major)
    }

    // MARK: PGO probes

    /// Instrumented compile and link (profile runtime), a run and a merge with the chosen
    /// profile tool (raw format), a rebuild with the profile and LTO through the chosen ar and
    /// linker (bitcode readers).
    public func pgoProbes(_ toolchain: Toolchain, scratch: WorkDir) async -> [DoctorReport.Probe] {
        do {
            try scratch.freshDirectory(scratch.root + "/stages")
            try scratch.remove(scratch.stateFile)
            let profile = try ProbeProject.write(in: scratch.root + "/source", family: toolchain.family)
            let stages = PipelineComposer.stages(for: profile, toolchain: toolchain, baseline: false)
            let executor = PipelineExecutor(
                workDir: scratch, store: try StateStore(path: scratch.stateFile, profile: profile.name), runner: runner,
                progress: SilentProgress(), logger: Logger(label: "temper.doctor", factory: { _ in SwiftLogNoOpLogHandler() }),
                sharedMaterial: ["toolchain": toolchain.identity])
            var reports: [PipelineExecutor.StageReport]
            var failure: (any Error)?
            do {
                reports = try await executor.run(stages, options: .init(jobs: 2))
            } catch PipelineError.halted(let halted, let cause) {
                reports = halted
                failure = cause
            }
            return reports.map { report in
                let name = Self.probeNames[report.id] ?? report.name
                switch report.outcome {
                case .executed, .reused:
                    return DoctorReport.Probe(name: name, ok: true, seconds: report.seconds, message: "ok", required: true)
                case .failed, .interrupted:
                    let text = failure.map { "\($0)" } ?? report.message ?? "failed"
                    return DoctorReport.Probe(name: name, ok: false, seconds: report.seconds, message: text, required: true, fix: ProbeAdvice.fix(for: text, toolchain: toolchain))
                case .pending:
                    return DoctorReport.Probe(name: name, ok: false, seconds: 0, message: "not run: an earlier probe failed", required: true)
                }
            }
        } catch {
            return [DoctorReport.Probe(name: "scratch", ok: false, seconds: 0, message: "cannot prepare the probe project: \(error)", required: true)]
        }
    }

    // MARK: BOLT probe

    /// A link with relocations, then instrument, run, merge-fdata and optimize with BOLT, and
    /// the optimized program must print what the original printed.
    public func boltProbe(_ toolchain: Toolchain, bolt: BoltTools, scratch: WorkDir) async -> DoctorReport.Probe {
        let start = ContinuousClock.now
        guard let llvmBolt = bolt.bolt, bolt.mergeFdata != nil else {
            let major = toolchain.family == .clang ? toolchain.cc.major : 22
            let fix = "install BOLT of the same LLVM (`\(ToolchainAdvice.install(["bolt-\(major)"]))`, or Scripts/install-toolchain.sh \(major)) and use --llvm-bin /usr/lib/llvm-\(major)/bin"
            return DoctorReport.Probe(
                name: "bolt", ok: false, seconds: 0,
                message: "BOLT is unavailable with this toolchain: no llvm-bolt and merge-fdata in \(bolt.directory)", required: false, fix: fix)
        }
        let directory = scratch.root + "/bolt"
        let log = directory + "/bolt.log"
        func failed(_ message: String) -> DoctorReport.Probe {
            let text = message + "\n  last lines of output:\n" + LogTail.indented(log) + "\n  full log: \(log)"
            return DoctorReport.Probe(name: "bolt", ok: false, seconds: start.duration(to: .now).seconds, message: text, required: false,
                fix: ProbeAdvice.fix(for: LogTail.read(log, lines: 40), toolchain: toolchain))
        }
        do {
            try scratch.freshDirectory(directory)
            let source = scratch.root + "/source"
            let linkerFlags = toolchain.family == .clang ? ["--ld-path=\(toolchain.linker.path)"] : []
            let steps: [(String, Command)] = [
                ("link with relocations", Command(executable: toolchain.cc.path, arguments: ["-O2", "-fno-pie", "-no-pie", "-Wl,--emit-relocs"] + linkerFlags + ["-o", "probe", source + "/main.c", source + "/lib.c"], workingDirectory: directory)),
                ("instrument", ToolCommands.boltInstrument(bolt, input: "probe", profileFile: directory + "/probe.fdata", output: "probe.instrumented", directory: directory)),
                ("run instrumented", Command(executable: directory + "/probe.instrumented", arguments: ["200"], workingDirectory: directory)),
            ]
            for (label, command) in steps {
                let outcome = try await runner.run(command, logPath: log)
                guard outcome.succeeded else { return failed("\(label) failed (\(outcome.statusDescription)): \(command.displayString)") }
            }
            let profiles = ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []).filter { $0.hasPrefix("probe.fdata") }.sorted()
            guard !profiles.isEmpty else { return failed("the BOLT-instrumented probe wrote no .fdata profile") }
            // The same commands and default flags as the BOLT stages.
            let merge = ToolCommands.mergeFdata(bolt, output: "merged.fdata", inputs: profiles, directory: directory)
            let optimize = ToolCommands.boltOptimize(bolt, input: "probe", profile: "merged.fdata", output: "probe.bolt", flags: BoltFlags.defaults(for: bolt), directory: directory)
            for (label, command) in [("merge-fdata", merge), ("optimize", optimize)] {
                let outcome = try await runner.run(command, logPath: log)
                guard outcome.succeeded else { return failed("\(label) failed (\(outcome.statusDescription)): \(command.displayString)") }
            }
            let (original, expected) = try await runner.capture(Command(executable: directory + "/probe", arguments: ["200"], workingDirectory: directory))
            let (bolted, actual) = try await runner.capture(Command(executable: directory + "/probe.bolt", arguments: ["200"], workingDirectory: directory))
            guard original.succeeded, bolted.succeeded, expected == actual else {
                return failed("the BOLT-optimized probe printed \"\(actual.prefix(80))\", the original \"\(expected.prefix(80))\"")
            }
            return DoctorReport.Probe(name: "bolt", ok: true, seconds: start.duration(to: .now).seconds, message: "ok (BOLT \(llvmBolt.version))", required: false)
        } catch {
            return failed("\(error)")
        }
    }
}
