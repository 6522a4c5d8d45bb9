import Foundation
import Logging

/// Applies the numbered `.sql` files of a folder to PostgreSQL, in order, once each.
///
/// - Each file runs in a transaction with the record of its name and checksum (SHA-256 of its text,
///   computed by PostgreSQL) in `flowrun_migrations`: it applies whole or not at all.
/// - A file already applied whose text has changed stops everything: applied migrations are never edited;
///   a change is a new file.
/// - The whole run holds a session advisory lock, so instances starting together apply each file once:
///   the second waits, then finds everything applied.
/// - What a file says with `RAISE NOTICE` is logged (info), one line each, once it has applied: 0001's
///   adoption of an existing positions, step by step.
/// - Each file runs with `settings` set for its transaction (`set_config(name, value, true)`): what a file
///   reads with `current_setting(name, true)`, such as `flowrun.chunk_interval`. They are not part of the
///   checksum: a setting changed later does not re-run a file.
public struct Migrator: Sendable {
    /// The advisory lock key: a fixed number, the same in every flowrun.
    static let lockKey: Int64 = 0x666C_6F77_7275_6E  // "flowrun"

    /// Earlier texts of files, by checksum, still accepted as applied. Only for a change that matters to
    /// databases that have not applied the file yet, and whose effect on the others a later file makes or
    /// that would have been nothing there: 0001's TimescaleDB block (a FATAL `CREATE EXTENSION` where
    /// TimescaleDB is not preloaded) moved to 0006; 0001 then learnt to adopt an existing positions (the
    /// TypeScript processor's), which a database where 0001 created the table never has.
    static let formerChecksums: [String: Set<String>] = [
        "0001_positions.sql": [
            "6c8796f6e6b5001a45bc3edae26d33aef8a041097c71d2f8e3ec72e01614c81c",
            "0d3cb68619297e830f4d19706b3cecb809675a4688f8d92a5d41e1555a575e2f",
        ]
    ]

    public let directory: String
    let connection: PostgresConnection
    let logger: Logger
    let settings: [String: String]

    public init(
        directory: String,
        connection: PostgresConnection,
        logger: Logger,
        settings: [String: String] = [:]
    ) {
        self.directory = directory
        self.connection = connection
        self.logger = logger
        self.settings = settings
    }

    public struct Outcome: Sendable, Equatable {
        /// Files applied by this run, in order.
        public var applied: [String]
        /// Files found already applied.
        public var alreadyApplied: [String]
    }

    /// The migration files of the folder, in order: `NNNN_name.sql`.
    public func files() throws(MigrationError) -> [(name: String, path: String)] {
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: self.directory)
        } catch {
            throw MigrationError.folderUnreadable(self.directory, "\(error.localizedDescription)")
        }
        let sql = names.filter { $0.hasSuffix(".sql") }.sorted()
        for name in sql where !Self.isWellNamed(name) {
            throw MigrationError.badName(name, directory: self.directory)
        }
        var seenNumbers: [Substring: String] = [:]
        for name in sql {
            let number = name.prefix(4)
            if let other = seenNumbers[number] { throw MigrationError.duplicateNumber(other, name) }
            seenNumbers[number] = name
        }
        return sql.map { ($0, (self.directory as NSString).appendingPathComponent($0)) }
    }

    static func isWellNamed(_ name: String) -> Bool {
        let stem = name.dropLast(4)  // ".sql"
        guard stem.count > 5, stem.prefix(4).allSatisfy(\.isASCII), stem.prefix(4).allSatisfy(\.isNumber),
            stem.dropFirst(4).first == "_"
        else { return false }
        return stem.dropFirst(5).allSatisfy { ($0.isASCII && ($0.isLowercase || $0.isNumber)) || $0 == "_" }
    }

    /// Applies every file not applied yet.
    public func run() async throws(MigrationError) -> Outcome {
        let files = try self.files()
        let connection = self.connection
        do {
            try await connection.query("SELECT pg_advisory_lock($1)", [String(Self.lockKey)])
        } catch {
            throw MigrationError.database(error)
        }
        do {
            let outcome = try await self.apply(files)
            _ = try? await connection.query("SELECT pg_advisory_unlock($1)", [String(Self.lockKey)])
            return outcome
        } catch {
            _ = try? await connection.query("SELECT pg_advisory_unlock($1)", [String(Self.lockKey)])
            throw error
        }
    }

    private func apply(_ files: [(name: String, path: String)]) async throws(MigrationError) -> Outcome {
        let connection = self.connection
        var applied: [String: String] = [:]
        do {
            try await connection.execute(
                """
                CREATE TABLE IF NOT EXISTS flowrun_migrations (
                    name       text        PRIMARY KEY,
                    checksum   text        NOT NULL,
                    applied_at timestamptz NOT NULL DEFAULT now()
                )
                """
            )
            for row in try await connection.query("SELECT name, checksum FROM flowrun_migrations").rows {
                if let name = row[0], let checksum = row[1] { applied[name] = checksum }
            }
        } catch {
            throw MigrationError.database(error)
        }
        var outcome = Outcome(applied: [], alreadyApplied: [])
        for file in files {
            let text: String
            do {
                text = try String(contentsOfFile: file.path, encoding: .utf8)
            } catch {
                throw MigrationError.fileUnreadable(file.path, "\(error.localizedDescription)")
            }
            let checksum: String
            do {
                checksum =
                    try await connection.query("SELECT encode(sha256(convert_to($1, 'UTF8')), 'hex')", [text])
                    .rows[0][0] ?? ""
            } catch {
                throw MigrationError.database(error)
            }
            if let recorded = applied[file.name] {
                guard recorded == checksum || Self.formerChecksums[file.name]?.contains(recorded) == true else {
                    throw MigrationError.changedAfterApplied(file.name, recorded: recorded, now: checksum)
                }
                outcome.alreadyApplied.append(file.name)
                continue
            }
            var notices: [String] = []
            do {
                try await connection.execute("BEGIN")
                for (name, value) in self.settings.sorted(by: { $0.key < $1.key }) {
                    try await connection.query("SELECT set_config($1, $2, true)", [name, value])
                }
                notices = try await connection.executeCollectingNotices(text)
                try await connection.query(
                    "INSERT INTO flowrun_migrations (name, checksum) VALUES ($1, $2)",
                    [file.name, checksum]
                )
                try await connection.execute("COMMIT")
            } catch {
                try? await connection.execute("ROLLBACK")
                throw MigrationError.failed(file.name, error)
            }
            for notice in notices {
                self.logger.info("\(notice)", metadata: ["migration": "\(file.name)"])
            }
            self.logger.info("migration applied", metadata: ["migration": "\(file.name)"])
            outcome.applied.append(file.name)
        }
        let known = Set(files.map(\.name))
        for name in applied.keys.sorted() where !known.contains(name) {
            self.logger.warning(
                "a migration recorded as applied has no file in the migrations folder",
                metadata: ["migration": "\(name)", "folder": "\(self.directory)"]
            )
        }
        return outcome
    }
}

/// Why migrations could not be applied; each case says what to do.
public enum MigrationError: Error, CustomStringConvertible {
    case folderUnreadable(String, String)
    case fileUnreadable(String, String)
    case badName(String, directory: String)
    case duplicateNumber(String, String)
    case changedAfterApplied(String, recorded: String, now: String)
    case failed(String, PostgresError)
    case database(PostgresError)

    public var description: String {
        switch self {
        case .folderUnreadable(let folder, let why):
            return "cannot read the migrations folder \(folder): \(why) (pass --migrations DIR)"
        case .fileUnreadable(let file, let why):
            return "cannot read migration \(file): \(why)"
        case .badName(let name, let directory):
            return "migration file \(directory)/\(name) is misnamed: expected NNNN_lowercase_name.sql"
        case .duplicateNumber(let first, let second):
            return "migrations \(first) and \(second) share a number; give each file its own"
        case .changedAfterApplied(let name, let recorded, let now):
            return "migration \(name) was changed after it was applied (checksum \(now.prefix(12))…, applied as"
                + " \(recorded.prefix(12))…); restore the applied text and put the change in a new migration"
        case .failed(let name, let error):
            return "migration \(name) failed and was rolled back: \(error)"
        case .database(let error):
            return "cannot apply migrations: \(error)"
        }
    }
}
