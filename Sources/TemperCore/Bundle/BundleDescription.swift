import TemperModel
import TemperSystem
import TemperExecution
import TemperStages
/// A bundle's manifest for people (`temper bundle show`).
public enum BundleDescription {
    public static func text(_ manifest: BundleManifest, sha256: String?) -> String {
        var lines = [
            "profile bundle for `\(manifest.profileName)` (manifest version \(manifest.version), temper \(manifest.temperVersion))",
            "  created:   \(manifest.created)" + (manifest.host.map { " on \($0)" } ?? ""),
        ]
        if let sha256 { lines.append("  sha256:    \(sha256)") }
        let tools = manifest.toolchain
        lines.append("  toolchain: \(tools.compiler) \(tools.compilerVersion) (LLVM \(tools.llvmMajor), \(tools.compilerPath)); indexed profile format version \(tools.profileFormatVersion)")
        lines.append("  sources:   \(manifest.sources.files.count) files, digest \(manifest.sources.digest.prefix(16))")
        let profile = manifest.profile
        lines.append("  profile:   \(profile.functions) functions" + (profile.functionsExecuted.map { ", \($0) executed" } ?? "")
            + (profile.totalCount.map { ", total count \($0)" } ?? "") + " (sha256 \(profile.sha256.prefix(16)))")
        if let bolt = manifest.bolt {
            for entry in bolt.profiles {
                lines.append("  bolt:      \(entry.artifact): \(entry.fdata)" + (entry.yaml != nil ? " + YAML (stale matching)" : ""))
            }
            lines.append("  bolt kept: " + (bolt.selectedCandidate ?? "none (the PGO+LTO build was kept)") + (bolt.selectionReason.map { " — \($0)" } ?? ""))
        }
        lines.append("  training:  \(manifest.training.count) task(s)")
        for task in manifest.training {
            lines.append("    \(task.stage)/\(task.name): \(task.command.count > 160 ? task.command.prefix(157) + "..." : task.command[...])")
        }
        for part in manifest.parts ?? [] {
            lines.append("  part:      weight \(part.weight), created \(part.created)" + (part.host.map { " on \($0)" } ?? "") + ", \(part.tasks.count) task(s), sha256 \(part.sha256.prefix(16))")
        }
        return lines.joined(separator: "\n")
    }
}
