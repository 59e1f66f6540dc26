-- The seed document's DDL (section 3) and indexes (section 8.2), verbatim. Berth.Data.Sqlite
-- creates the seed tables from this text, so that a database.db adopted from the original
-- platform and a new one have the same schema.

CREATE TABLE System_Users (
    ID          INTEGER NOT NULL UNIQUE PRIMARY KEY AUTOINCREMENT,
    Email       TEXT NOT NULL UNIQUE,
    Password    TEXT NOT NULL,          -- bcrypt hash
    Admin       INTEGER DEFAULT 0,       -- 0=user, 1=admin
    Enabled     INTEGER NOT NULL DEFAULT 0,
    LastLogin   TEXT NOT NULL DEFAULT ''
);

CREATE TABLE System_RegistrationCodes (
    ID          INTEGER NOT NULL UNIQUE PRIMARY KEY AUTOINCREMENT,
    UserID      INTEGER NOT NULL UNIQUE,  -- Admin who created it
    Code        TEXT NOT NULL UNIQUE,      -- 8-char alphanumeric
    ValidUntil  INTEGER NOT NULL           -- Unix timestamp
);

CREATE TABLE Hosting_VirtualServers (
    ID          INTEGER NOT NULL UNIQUE PRIMARY KEY,  -- Not AUTOINCREMENT, matches container ID
    OwnerID     INTEGER NOT NULL,
    Name        TEXT NOT NULL DEFAULT '',
    Enabled     INTEGER NOT NULL DEFAULT 1,
    Deleted     INTEGER NOT NULL DEFAULT 0,           -- Soft delete flag
    CreatedAt   TEXT NOT NULL,
    UpdatedAt   TEXT NOT NULL
);

-- Special entry for host-level containers
INSERT INTO Hosting_VirtualServers VALUES (0, 0, 'HOST', 1, 0, '', '');

CREATE TABLE Hosting_DockerContainers (
    DockerID        TEXT NOT NULL,
    ParentServerID  INTEGER NOT NULL,       -- 0 = host, N = virtual server
    Command         TEXT NOT NULL,
    CreatedAt       TEXT NOT NULL,
    Image           TEXT NOT NULL,
    Labels          TEXT NOT NULL,          -- Comma-separated
    Mounts          TEXT NOT NULL,
    Names           TEXT NOT NULL,
    Networks        TEXT NOT NULL,
    Ports           TEXT NOT NULL,
    RunningFor      TEXT NOT NULL,
    Size            TEXT NOT NULL,
    State           TEXT NOT NULL,          -- running, exited, etc.
    Status          TEXT NOT NULL,
    UpdatedAt       TEXT NOT NULL,
    UNIQUE(DockerID, ParentServerID)
);

CREATE TABLE Hosting_DomainNames (
    ID              INTEGER NOT NULL UNIQUE PRIMARY KEY AUTOINCREMENT,
    VirtualServerID INTEGER NOT NULL,
    DomainName      TEXT NOT NULL UNIQUE,
    IsCloudflare    INTEGER NOT NULL DEFAULT 0,
    SSL             INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE System_RecentActivity (
    ID      INTEGER NOT NULL UNIQUE PRIMARY KEY AUTOINCREMENT,
    UserID  INTEGER NOT NULL,
    Message TEXT NOT NULL,
    Time    TEXT NOT NULL
);

CREATE INDEX idx_vs_owner ON Hosting_VirtualServers(OwnerID);
CREATE INDEX idx_vs_deleted ON Hosting_VirtualServers(Deleted);
CREATE INDEX idx_dc_parent ON Hosting_DockerContainers(ParentServerID);
CREATE INDEX idx_dn_vs ON Hosting_DomainNames(VirtualServerID);
CREATE INDEX idx_ra_time ON System_RecentActivity(Time);
