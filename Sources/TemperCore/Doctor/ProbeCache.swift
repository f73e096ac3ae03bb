import TemperModel
import TemperSystem
import TemperExecution
import TemperStages
import Foundation
import Logging

/// `temper run` probes the toolchain before its first stage, once per toolchain: a passing
/// result is cached in the work dir under the toolchain's fingerprint, so later runs pay nothing.
enum ProbeCache {
    static func ensure(_ toolchain: Toolchain, bolt: BoltTools?, workDir: WorkDir, logger: Logger) async throws {
        let cache = workDir.cache + "/probes-\(toolchain.fingerprint)\(bolt == nil ? "" : "-bolt").json"
        if FileManager.default.fileExists(atPath: cache) { return }
        let scratch = WorkDir(root: workDir.cache + "/probe-scratch")
        try workDir.makeDirectory(scratch.root)
        logger.info("probing the toolchain (once per toolchain)")
        var probes = await Doctor().pgoProbes(toolchain, scratch: scratch)
        if let bolt {
            var probe = await Doctor().boltProbe(toolchain, bolt: bolt, scratch: scratch)
            probe.required = true
            probes.append(probe)
        }
        let failed = probes.filter { !$0.ok && $0.required }
        guard failed.isEmpty else {
            // The scratch project stays: the messages point at the logs inside it.
            let summary = failed.map { probe in
                "  \(probe.name): \(probe.message)" + (probe.fix.map { "\n  fix: \($0)" } ?? "")
            }.joined(separator: "\n") + "\n  the probe project and its logs are kept in \(scratch.root)"
            throw ToolchainError.probesFailed(summary: summary)
        }
        try workDir.remove(scratch.root)
        try AtomicFile.write(try JSONEncoder.temper.encode(probes), to: cache)
    }
}
