import TemperModel
import Foundation

/// Before anything is locked or built, the toolchain must read the bundle's indexed profile:
/// an older llvm-profdata (and the clang of the same release) rejects a newer format, and the
/// build would fail half-way. Runs `llvm-profdata show --profile-version` on the bundle's
/// profile (in a scratch directory: the run has no work dir yet); when it fails, learns the
/// toolchain's own version by merging a one-function text profile, and refuses the run
/// (exit 3) naming both.
package enum BundleFormatCheck {
    package static func ensure(_ bundle: ProfileBundle, path: String, toolchain: Toolchain) async throws {
        let manifest = bundle.manifest
        let data = bundle.files[manifest.profile.file]!
        try await ScratchDirectory.with("bundle-check") { scratch in
            let profile = scratch + "/bundle.profdata"
            try data.write(to: URL(fileURLWithPath: profile))
            let runner = SubprocessRunner()
            let (shown, text) = try await runner.capture(ToolCommands.profdataShow(toolchain.profdata.path, ["--profile-version"], profile, directory: scratch))
            guard shown.succeeded else {
                let own = await toolchainVersion(toolchain, scratch: scratch, runner: runner)
                let header = ProfileFormat.headerVersion(data)
                // Only a newer format than the toolchain's is a toolchain problem; a file with no
                // profile header, or one in a format the toolchain reads, is damaged (exit 2).
                if header == nil || (own != nil && header! <= own!) {
                    throw BundleError.invalid(
                        path: path, reason: "its profile (\(manifest.profile.file)) is damaged: llvm-profdata cannot read it (\(text.split(separator: "\n").last.map(String.init) ?? text))")
                }
                throw ToolchainError.profileFormat(
                    bundle: path, bundleVersion: ProfileFormat.headerVersion(data) ?? manifest.toolchain.profileFormatVersion,
                    bundleLLVM: manifest.toolchain.compilerVersion, toolchainVersion: own,
                    toolchain: "\(toolchain.summary), \(toolchain.profdata.path)", output: text.split(separator: "\n").last.map(String.init) ?? text)
            }
        }
    }

    /// The indexed format version this toolchain writes (and so reads at most).
    static func toolchainVersion(_ toolchain: Toolchain, scratch: String, runner: SubprocessRunner) async -> Int? {
        let text = scratch + "/probe.proftext"
        let indexed = scratch + "/probe.profdata"
        let probe = "# IR level Instrumentation Flag\n:ir\nprobe\n# Func Hash:\n1\n# Num Counters:\n1\n# Counter Values:\n1\n"
        guard (try? Data(probe.utf8).write(to: URL(fileURLWithPath: text))) != nil,
            let (outcome, _) = try? await runner.capture(ToolCommands.profdataMerge(toolchain.profdata.path, output: indexed, inputs: [text], directory: scratch)),
            outcome.succeeded, let data = FileManager.default.contents(atPath: indexed)
        else { return nil }
        return ProfileFormat.headerVersion(data)
    }
}
