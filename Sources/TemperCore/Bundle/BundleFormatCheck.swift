import Foundation

/// Before any stage, the toolchain must read the bundle's indexed profile: an older
/// llvm-profdata (and the clang of the same release) rejects a newer format, and the build
/// would fail half-way. Runs `llvm-profdata show --profile-version` on the bundle's profile;
/// when it fails, learns the toolchain's own version by merging a one-function text profile,
/// and refuses the run (exit 3) naming both. A passing bundle is remembered in the work dir.
enum BundleFormatCheck {
    static func ensure(_ bundle: PipelineComposer.BundleInput, manifest: BundleManifest, toolchain: Toolchain, workDir: WorkDir) async throws {
        let scratch = workDir.cache + "/bundle-check"
        let passed = scratch + "/\(bundle.sha256)-\(toolchain.fingerprint).ok"
        if FileManager.default.fileExists(atPath: passed) { return }
        try workDir.freshDirectory(scratch)
        let read = try ProfileBundle.read(path: bundle.path)
        guard read.sha256 == bundle.sha256 else {
            throw BundleError.unreadable(path: bundle.path, reason: "it changed while temper was reading it")
        }
        let profile = scratch + "/bundle.profdata"
        try read.files[manifest.profile.file]!.write(to: URL(fileURLWithPath: profile))
        let runner = SubprocessRunner()
        let (shown, text) = try await runner.capture(
            Command(executable: toolchain.profdata.path, arguments: ["show", "--profile-version", profile], workingDirectory: scratch))
        let bundleVersion = ProfileFormat.headerVersion(read.files[manifest.profile.file]!) ?? manifest.toolchain.profileFormatVersion
        guard shown.succeeded else {
            let own = await toolchainVersion(toolchain, scratch: scratch, runner: runner)
            throw ToolchainError.profileFormat(
                bundle: bundle.path, bundleVersion: bundleVersion, bundleLLVM: manifest.toolchain.compilerVersion, toolchainVersion: own,
                toolchain: "\(toolchain.summary), \(toolchain.profdata.path)", output: text.split(separator: "\n").last.map(String.init) ?? text)
        }
        try workDir.remove(profile)
        try Data().write(to: URL(fileURLWithPath: passed))
    }

    /// The indexed format version this toolchain writes (and so reads at most).
    static func toolchainVersion(_ toolchain: Toolchain, scratch: String, runner: SubprocessRunner) async -> Int? {
        let text = scratch + "/probe.proftext"
        let indexed = scratch + "/probe.profdata"
        let probe = "# IR level Instrumentation Flag\n:ir\nprobe\n# Func Hash:\n1\n# Num Counters:\n1\n# Counter Values:\n1\n"
        guard (try? Data(probe.utf8).write(to: URL(fileURLWithPath: text))) != nil,
            let (outcome, _) = try? await runner.capture(
                Command(executable: toolchain.profdata.path, arguments: ["merge", "-o", indexed, text], workingDirectory: scratch)),
            outcome.succeeded, let data = FileManager.default.contents(atPath: indexed)
        else { return nil }
        return ProfileFormat.headerVersion(data)
    }
}
