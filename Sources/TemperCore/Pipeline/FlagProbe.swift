import TemperModel
import TemperSystem
import TemperExecution
import TemperStages
import Foundation
import Logging

/// Before the first stage, compiles and links a small C and C++ file with each
/// non-instrumented build's flags (optimize, bolt-build, baseline) under `-Werror`, the way a
/// project's build and autoconf's probes do. A flag that a compiler refuses, or that warns where
/// a project's -Werror would fail, is then found in seconds, not after the instrumented build
/// and all of the training. A passing set of commands is remembered in the work dir's cache.
enum FlagProbe {
    /// One probe command, and what it stands for (for the message).
    struct Probe {
        var stage: StageID
        var what: String
        var command: Command
    }

    static let source = "int temper_probe(int x) { return x + 1; }\nint main(void) { return temper_probe(-1); }\n"

    /// The commands, in a scratch directory of their own: compile only, link the object, and
    /// compile and link in one call (autoconf's way), for C; compile only for C++.
    static func probes(_ graph: StageGraph, toolchain: Toolchain, scratch: String) -> [Probe] {
        var probes: [Probe] = []
        for stage in graph.stages.compactMap({ $0 as? BuildStage }) where !stage.variant.isInstrumented {
            let directory = scratch + "/" + stage.id.rawValue
            let flags = stage.recipe.probeFlags(directory: directory)
            func command(_ tool: String, _ arguments: [String]) -> Command {
                Command(executable: tool, arguments: arguments, workingDirectory: directory, timeout: 120)
            }
            let cc = toolchain.cc.path
            probes += [
                Probe(stage: stage.id, what: "compile (CFLAGS)", command: command(cc, flags.cflags + ["-Werror", "-c", "probe.c", "-o", "probe.o"])),
                Probe(stage: stage.id, what: "link (CFLAGS + LDFLAGS)", command: command(cc, flags.cflags + flags.ldflags + ["-Werror", "probe.o", "-o", "probe"])),
                Probe(
                    stage: stage.id, what: "compile and link in one call (CFLAGS + LDFLAGS, as configure does)",
                    command: command(cc, flags.cflags + flags.ldflags + ["-Werror", "probe.c", "-o", "probe-one-step"])),
                Probe(stage: stage.id, what: "C++ compile (CXXFLAGS)", command: command(toolchain.cxx.path, flags.cxxflags + ["-Werror", "-x", "c++", "-c", "probe.c", "-o", "probe-cxx.o"])),
            ]
        }
        return probes
    }

    static func check(_ prepared: PipelineRun.Prepared, runner: any ProcessRunning, logger: Logger) async throws {
        let workDir = prepared.workDir
        let scratch = workDir.cache + "/flag-probe"
        let probes = probes(prepared.graph, toolchain: prepared.toolchain, scratch: scratch)
        guard !probes.isEmpty else { return }
        let key = FileDigest.sha256(of: try JSONEncoder.temper.encode(probes.map(\.command) + [Command(executable: prepared.toolchain.identity, workingDirectory: "/")]))
        let passed = workDir.cache + "/flag-probe-\(key.prefix(16)).ok"
        if FileManager.default.fileExists(atPath: passed) { return }
        try workDir.remove(scratch)
        for probe in probes {
            let directory = probe.command.workingDirectory
            if !FileManager.default.fileExists(atPath: directory + "/probe.c") {
                try workDir.makeDirectory(directory)
                try AtomicFile.write(Data(source.utf8), to: directory + "/probe.c", durable: false)
            }
            let (outcome, output) = try await runner.capture(probe.command)
            guard outcome.succeeded else {
                throw FlagProbeError.failed(stage: probe.stage.rawValue, what: probe.what, command: probe.command, status: outcome.statusDescription, output: String(output.suffix(1500)))
            }
        }
        try workDir.remove(scratch)
        try AtomicFile.write(Data(), to: passed, durable: false)
        logger.debug("flag probe: \(probes.count) compiles and links passed under -Werror")
    }
}

/// A build's flags fail a probe compile or link under -Werror: bad input, found before training.
enum FlagProbeError: Error, CustomStringConvertible, ExitCoded {
    case failed(stage: String, what: String, command: Command, status: String, output: String)

    var exitStatus: Int32 { ExitStatus.badInput }

    var description: String {
        switch self {
        case .failed(let stage, let what, let command, let status, let output):
            return """
                the \(stage) build's flags fail a probe \(what) under -Werror, before anything was trained: a project that builds with -Werror (or an autoconf check) would fail the same way, late.
                  command: \(command.displayString)
                  \(status):
                \(output.split(separator: "\n").map { "    " + $0 }.joined(separator: "\n"))
                  Fix the flag it names in [build] cflags/cxxflags/ldflags; if it is one temper adds (-fprofile-use, -flto, -no-pie, --emit-relocs, -mllvm ...), check [optimize] and [bolt], or report it.
                """
        }
    }
}
