import Foundation
import Testing
@testable import TemperModel
@testable import TemperSystem
@testable import TemperExecution
@testable import TemperStages
@testable import TemperCore

/// What the install stage takes out of an installed tree: temper's flags and its build paths, in
/// text files only, in place (modes kept), and nothing outside the work dir.
@Suite struct InstallRewriteTests {
    @Test func flagsAndBuildPathsLeaveTextFilesOnly() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("temper-rewrite-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: root) }
        let workDir = WorkDir(root: root)
        let build = root + "/stages/optimize/build", tree = root + "/stages/install/tree"
        let destdir = root + "/stages/install/destdir"
        try FileManager.default.createDirectory(atPath: destdir + "/lib", withIntermediateDirectories: true)
        let cflags = "-gdwarf-4 -fprofile-use=\(root)/stages/merge/x.profdata -flto=thin -fdebug-prefix-map=\(build)=."
        let ldflags = "--ld-path=/usr/bin/ld.lld -flto=thin -Wl,--thinlto-cache-dir=\(root)/cache/thinlto-optimize"
        let injected = InjectedFlags(cflags: ["-fprofile-use=\(root)/stages/merge/x.profdata", "-flto=thin"], ldflags: ["-Wl,--thinlto-cache-dir=\(root)/cache/thinlto-optimize"])
        let rewrites = InstallStage.rewrites(values: ["cflags": cflags, "cxxflags": cflags, "ldflags": ldflags], injected: injected, buildDirectories: [build, tree], workDir: workDir)

        // As CPython's sysconfig records them: make's *_NODIST flags inside longer values, the
        // ThinLTO cache flag on its own elsewhere, the build dir in several variables.
        let sysconfig = """
            'PY_CFLAGS_NODIST': '-std=c11 \(cflags) -I/src/Include/internal',
            'PY_LDFLAGS_NODIST': '\(ldflags)',
            'OTHER': '-O2 -Wl,--thinlto-cache-dir=\(root)/cache/thinlto-optimize',
            'abs_builddir': '\(build)', 'RUNSHARED': 'LD_LIBRARY_PATH=\(tree):\(build)',
            """
        let text = destdir + "/lib/_sysconfigdata.py"
        try Data(sysconfig.utf8).write(to: URL(fileURLWithPath: text))
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: text)
        let binary = destdir + "/lib/libx.so"
        let binaryBytes = Data([0x7f, 0x45, 0x4c, 0x46, 0]) + Data(build.utf8)
        try binaryBytes.write(to: URL(fileURLWithPath: binary))
        let untouched = destdir + "/README"
        try Data("nothing to see\n".utf8).write(to: URL(fileURLWithPath: untouched))

        let changed = try InstallStage.rewrite(rewrites, under: destdir, workDir: workDir)
        #expect(changed == [text])
        let result = try String(contentsOfFile: text, encoding: .utf8)
        #expect(result == """
            'PY_CFLAGS_NODIST': '-std=c11 -I/src/Include/internal',
            'PY_LDFLAGS_NODIST': '',
            'OTHER': '-O2',
            'abs_builddir': '.', 'RUNSHARED': 'LD_LIBRARY_PATH=.:.',
            """)
        #expect(!result.contains(root))
        #expect((try FileManager.default.attributesOfItem(atPath: text)[.posixPermissions] as? Int) == 0o755)
        // Binary files are left whole (the stage counts them as naming the work dir).
        #expect(FileManager.default.contents(atPath: binary) == binaryBytes)
    }

    @Test func noFlagsNoRewrites() {
        let workDir = WorkDir(root: "/w")
        let rewrites = InstallStage.rewrites(values: ["cflags": "", "ldflags": ""], injected: InjectedFlags(), buildDirectories: ["/w/b"], workDir: workDir)
        #expect(rewrites.map(\.from) == ["/w/b"] && rewrites.map(\.to) == ["."])
    }
}
