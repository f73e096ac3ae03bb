import TemperModel
import TemperSystem
import Foundation

/// The programs a profile's commands run (each command's first word, past `env` and its
/// options), found or not, with the Debian package that provides a missing one. `temper doctor
/// PROFILE` lists them and `temper run` refuses to start without them, so a missing cmake is
/// found before anything is built, not when the first build runs.
public enum ProfilePrograms {
    public struct Entry: Sendable, Equatable, Codable {
        public var name: String
        /// Where the profile names it (`build.build`, `train.task.pgo`, ...).
        public var keyPaths: [String]
        public var path: String?
        public var package: String?
    }

    /// Debian packages for programs profiles commonly run (apt-file is not on a fresh machine).
    static let packages: [String: String] = [
        "cmake": "cmake", "ninja": "ninja-build", "meson": "meson", "make": "make", "gmake": "make", "python3": "python3",
        "python": "python-is-python3", "perl": "perl", "autoconf": "autoconf", "automake": "automake", "autoreconf": "autoconf",
        "libtoolize": "libtool", "pkg-config": "pkgconf", "pkgconf": "pkgconf", "bison": "bison", "flex": "flex", "gawk": "gawk",
        "m4": "m4", "nasm": "nasm", "yasm": "yasm", "git": "git", "patch": "patch", "ccache": "ccache", "valgrind": "valgrind",
        "bash": "bash", "sh": "dash", "tclsh": "tcl", "ruby": "ruby", "node": "nodejs", "java": "default-jre-headless",
        "sqlite3": "sqlite3", "gcc": "gcc", "g++": "g++", "cc": "gcc", "c++": "g++", "tar": "tar", "gzip": "gzip", "xz": "xz-utils",
        "zstd": "zstd", "bzip2": "bzip2", "time": "time", "install": "coreutils", "cp": "coreutils", "mkdir": "coreutils",
        "env": "coreutils", "redis-server": "redis-server", "objcopy": "binutils",
    ]

    /// Every program the profile runs, in the order first named. Words that name something a
    /// build makes (`{artifact:...}`, `{build}/...`, `{destdir}/...`) or the compilers are skipped.
    public static func check(_ profile: PipelineProfile, path: String = ProcessInfo.processInfo.environment["PATH"] ?? "") -> [Entry] {
        var commands: [(String, [String])] = []
        commands += profile.build.configure.map { ("build.configure", $0) } + profile.build.build.map { ("build.build", $0) }
        commands += profile.train.tasks.map { ("train.task.\($0.name)", $0.run) }
        commands += (profile.bolt.enabled ? profile.bolt.train?.tasks ?? [] : []).map { ("bolt.train.task.\($0.name)", $0.run) }
        if let verify = profile.verify { commands.append(("verify.run", verify.run)) }
        if let bench = profile.bench { commands.append(("bench.run", bench.run)) }
        if let install = profile.install {
            commands += install.run.map { ("install.run", $0) } + install.check.map { ("install.check", $0) }
        }
        var entries: [Entry] = []
        for (keyPath, argv) in commands {
            guard let program = program(in: argv, source: profile.source) else { continue }
            if let index = entries.firstIndex(where: { $0.name == program }) {
                if !entries[index].keyPaths.contains(keyPath) { entries[index].keyPaths.append(keyPath) }
                continue
            }
            let found = locate(program, path: path)
            let base = (program as NSString).lastPathComponent
            entries.append(Entry(name: program, keyPaths: [keyPath], path: found, package: found == nil && !program.contains("/") ? packages[base] : nil))
        }
        return entries
    }

    /// The program an argv runs: its first word, or after `env` (its options and NAME=VALUE
    /// words); nil when it is something a build makes or a placeholder other than `{source}`.
    static func program(in argv: [String], source: String) -> String? {
        var words = argv[...]
        guard var first = words.first else { return nil }
        if (first as NSString).lastPathComponent == "env" {
            words = words.dropFirst()
            while let word = words.first, word.hasPrefix("-") || (word.contains("=") && !word.hasPrefix("/") && !word.hasPrefix("{")) {
                words = words.dropFirst()
                if word == "-u" || word == "-C" || word == "--chdir" || word == "--unset" { words = words.dropFirst() }
            }
            guard let next = words.first else { return nil }
            first = next
        }
        let rendered = first.replacingOccurrences(of: "{source}", with: source)
        return rendered.contains("{") ? nil : rendered
    }

    static func locate(_ program: String, path: String) -> String? {
        if program.contains("/") {
            return FileManager.default.isExecutableFile(atPath: program) && !isDirectory(program) ? program : nil
        }
        return path.split(separator: ":").map { "\($0)/\(program)" }.first { FileManager.default.isExecutableFile(atPath: $0) && !isDirectory($0) }
    }

    static func isDirectory(_ path: String) -> Bool {
        var directory: ObjCBool = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &directory) && directory.boolValue
    }

    /// One line per missing program: where the profile names it and how to get it.
    public static func describe(missing: [Entry]) -> String {
        missing.map { entry in
            "  \(entry.name) (named in \(entry.keyPaths.joined(separator: ", "))): "
                + (entry.name.contains("/") ? "no such executable file" : "not on PATH")
                + (entry.package.map { "; Debian package: \($0) (apt-get install \($0))" } ?? (entry.name.contains("/") ? "" : "; find its package with apt-cache search \(entry.name)"))
        }.joined(separator: "\n")
    }
}

/// Programs a profile runs are missing: found before anything is built.
public enum ProgramsError: Error, CustomStringConvertible, ExitCoded {
    case missing(profile: String, entries: [ProfilePrograms.Entry])

    public var exitStatus: Int32 { ExitStatus.toolchain }

    public var description: String {
        switch self {
        case .missing(let profile, let entries):
            return "\(profile) runs programs this machine does not have:\n\(ProfilePrograms.describe(missing: entries))\n  Install them, or fix the commands that name them (`temper doctor \(profile)` lists every program the profile runs)."
        }
    }
}
