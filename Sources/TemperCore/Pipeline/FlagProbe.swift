import TemperModel
import TemperSystem
import TemperExecution
import TemperStages
import Foundation
import Logging

/// Before the first stage, compiles and links a small C and C++ file with each
/// non-instrumented build's flags (optimize, bolt-build, baseline), the way a project's build
/// and autoconf's probes do, under -Werror. A flag the compiler refuses, or one of temper's that
/// warns (a project's -Werror would then fail), stops the run in seconds, not after the
/// instrumented build and all of the training. A warning from the profile's own flags alone is
/// reported, not fatal: the project may not build with -Werror. Passing commands are
/// remembered in the work dir's cache.
enum FlagProbe {
    /// One probe: a compiler, the flags in their two parts, and the call's own arguments.
    struct Probe: Encodable {
        var stage: String
        var what: String
        var compiler: String
        var own: [String]
        var injected: [String]
        var arguments: [String]
        var directory: String

        func command(own useOwn: Bool = true, werror: Bool) -> Command {
            Command(
                executable: compiler, arguments: (useOwn ? own : []) + injected + (werror ? ["-Werror"] : []) + arguments, workingDirectory: directory,
                timeout: 120)
        }
    }

    static let source = "int temper_probe(int x) { return x + 1; }\nint main(void) { return temper_probe(-1); }\n"

    /// Compile only, link the object, and compile and link in one call (autoconf's way), for C;
    /// compile only for C++. Each build in a scratch directory of its own.
    static func probes(_ graph: StageGraph, toolchain: Toolchain, scratch: String) -> [Probe] {
        var probes: [Probe] = []
        for stage in graph.stages.compactMap({ $0 as? BuildStage }) where !stage.variant.isInstrumented {
            let directory = scratch + "/" + stage.id.rawValue
            let (own, injected) = stage.recipe.probeFlags(directory: directory)
            func probe(_ what: String, _ compiler: String, _ own: [String], _ injected: [String], _ arguments: [String]) -> Probe {
                Probe(stage: stage.id.rawValue, what: what, compiler: compiler, own: own, injected: injected, arguments: arguments, directory: directory)
            }
            let cc = toolchain.cc.path
            probes += [
                probe("compile (CFLAGS)", cc, own.cflags, injected.cflags, ["-c", "probe.c", "-o", "probe.o"]),
                probe("link (CFLAGS + LDFLAGS)", cc, own.cflags + own.ldflags, injected.cflags + injected.ldflags, ["probe.o", "-o", "probe"]),
                probe("compile and link in one call (CFLAGS + LDFLAGS, as configure does)", cc, own.cflags + own.ldflags, injected.cflags + injected.ldflags, ["probe.c", "-o", "probe-one-step"]),
                probe("C++ compile (CXXFLAGS)", toolchain.cxx.path, own.cxxflags, injected.cflags, ["-x", "c++", "-c", "probe.c", "-o", "probe-cxx.o"]),
            ]
        }
        return probes
    }

    static func check(_ prepared: PipelineRun.Prepared, runner: any ProcessRunning, logger: Logger) async throws {
        let workDir = prepared.workDir
        let scratch = workDir.cache + "/flag-probe"
        let probes = probes(prepared.graph, toolchain: prepared.toolchain, scratch: scratch)
        guard !probes.isEmpty else { return }
        let key = FileDigest.sha256(of: try JSONEncoder.temper.encode(probes) + Data(prepared.toolchain.identity.utf8))
        let passed = workDir.cache + "/flag-probe-\(key.prefix(16)).ok"
        if FileManager.default.fileExists(atPath: passed) { return }
        try workDir.remove(scratch)
        defer { try? workDir.remove(scratch) }
        var warned: Set<String> = []
        for probe in probes {
            if !FileManager.default.fileExists(atPath: probe.directory + "/probe.c") {
                try workDir.makeDirectory(probe.directory)
                try AtomicFile.write(Data(source.utf8), to: probe.directory + "/probe.c", durable: false)
            }
            let strict = probe.command(werror: true)
            let (outcome, output) = try await runner.capture(strict)
            if outcome.succeeded { continue }
            // Which part fails: the compiler refuses the flags outright, temper's own flags warn,
            // or only the profile's do (reported; fatal only to a project that uses -Werror).
            let (lenient, lenientOutput) = try await runner.capture(probe.command(werror: false))
            let (ownless, _) = try await runner.capture(probe.command(own: false, werror: true))
            let failure = FlagProbeError.failed(
                stage: probe.stage, what: probe.what, command: lenient.succeeded ? strict : probe.command(werror: false), status: lenient.succeeded ? outcome.statusDescription : lenient.statusDescription,
                output: String((lenient.succeeded ? output : lenientOutput).suffix(1500)), temperFlags: lenient.succeeded && !ownless.succeeded)
            guard lenient.succeeded, ownless.succeeded else { throw failure }
            if warned.insert(probe.stage).inserted {
                logger.warning("the \(probe.stage) build's own flags ([build] cflags/cxxflags/ldflags) warn in a probe \(probe.what): a project built with -Werror would fail. \(output.split(separator: "\n").first ?? "")")
            }
        }
        try AtomicFile.write(Data(), to: passed, durable: false)
        logger.debug("flag probe: \(probes.count) compiles and links passed")
    }
}

/// A build's flags fail a probe compile or link: bad input, found before training.
enum FlagProbeError: Error, CustomStringConvertible, ExitCoded {
    /// `temperFlags`: the failure is a warning from temper's own flags under -Werror.
    case failed(stage: String, what: String, command: Command, status: String, output: String, temperFlags: Bool)

    var exitStatus: Int32 { ExitStatus.badInput }

    var description: String {
        switch self {
        case .failed(let stage, let what, let command, let status, let output, let temperFlags):
            let cause = temperFlags
                ? "flags temper adds warn under -Werror, so a project that builds with -Werror would fail late. This is temper's problem: report it, with this message"
                : "the compiler refuses them"
            return """
                the \(stage) build's flags fail a probe \(what), before anything was trained: \(cause).
                  command: \(command.displayString)
                  \(status):
                \(output.split(separator: "\n").map { "    " + $0 }.joined(separator: "\n"))
                  Fix the flag it names in [build] cflags/cxxflags/ldflags, or the [optimize]/[bolt] setting that adds it.
                """
        }
    }
}
