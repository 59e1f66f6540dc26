using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Berth.Data.Sqlite.Migrations
{
    /// <inheritdoc />
    public partial class InitialSchema : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "Hosting_DockerContainers",
                columns: table => new
                {
                    DockerID = table.Column<string>(type: "TEXT", nullable: false),
                    ParentServerID = table.Column<long>(type: "INTEGER", nullable: false),
                    Command = table.Column<string>(type: "TEXT", nullable: false),
                    CreatedAt = table.Column<string>(type: "TEXT", nullable: false),
                    Image = table.Column<string>(type: "TEXT", nullable: false),
                    Labels = table.Column<string>(type: "TEXT", nullable: false),
                    Mounts = table.Column<string>(type: "TEXT", nullable: false),
                    Names = table.Column<string>(type: "TEXT", nullable: false),
                    Networks = table.Column<string>(type: "TEXT", nullable: false),
                    Ports = table.Column<string>(type: "TEXT", nullable: false),
                    RunningFor = table.Column<string>(type: "TEXT", nullable: false),
                    Size = table.Column<string>(type: "TEXT", nullable: false),
                    State = table.Column<string>(type: "TEXT", nullable: false),
                    Status = table.Column<string>(type: "TEXT", nullable: false),
                    UpdatedAt = table.Column<string>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_Hosting_DockerContainers", x => new { x.DockerID, x.ParentServerID });
                });

            migrationBuilder.CreateTable(
                name: "Hosting_DomainNames",
                columns: table => new
                {
                    ID = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    VirtualServerID = table.Column<long>(type: "INTEGER", nullable: false),
                    DomainName = table.Column<string>(type: "TEXT", nullable: false),
                    IsCloudflare = table.Column<bool>(type: "INTEGER", nullable: false, defaultValue: false),
                    SSL = table.Column<bool>(type: "INTEGER", nullable: false, defaultValue: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_Hosting_DomainNames", x => x.ID);
                });

            migrationBuilder.CreateTable(
                name: "Hosting_VirtualServers",
                columns: table => new
                {
                    ID = table.Column<long>(type: "INTEGER", nullable: false),
                    OwnerID = table.Column<long>(type: "INTEGER", nullable: false),
                    Name = table.Column<string>(type: "TEXT", nullable: false, defaultValue: ""),
                    Enabled = table.Column<bool>(type: "INTEGER", nullable: false, defaultValue: true),
                    Deleted = table.Column<bool>(type: "INTEGER", nullable: false, defaultValue: false),
                    CreatedAt = table.Column<string>(type: "TEXT", nullable: false),
                    UpdatedAt = table.Column<string>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_Hosting_VirtualServers", x => x.ID);
                });

            migrationBuilder.CreateTable(
                name: "System_RecentActivity",
                columns: table => new
                {
                    ID = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    UserID = table.Column<long>(type: "INTEGER", nullable: false),
                    Message = table.Column<string>(type: "TEXT", nullable: false),
                    Time = table.Column<string>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_System_RecentActivity", x => x.ID);
                });

            migrationBuilder.CreateTable(
                name: "System_RegistrationCodes",
                columns: table => new
                {
                    ID = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    UserID = table.Column<long>(type: "INTEGER", nullable: false),
                    Code = table.Column<string>(type: "TEXT", nullable: false),
                    ValidUntil = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_System_RegistrationCodes", x => x.ID);
                });

            migrationBuilder.CreateTable(
                name: "System_Settings",
                columns: table => new
                {
                    Key = table.Column<string>(type: "TEXT", nullable: false),
                    Value = table.Column<string>(type: "TEXT", nullable: false),
                    UpdatedAt = table.Column<string>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_System_Settings", x => x.Key);
                });

            migrationBuilder.CreateTable(
                name: "System_Users",
                columns: table => new
                {
                    ID = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    Email = table.Column<string>(type: "TEXT", nullable: false),
                    Password = table.Column<string>(type: "TEXT", nullable: false),
                    Admin = table.Column<bool>(type: "INTEGER", nullable: true, defaultValue: false),
                    Enabled = table.Column<bool>(type: "INTEGER", nullable: false, defaultValue: false),
                    LastLogin = table.Column<string>(type: "TEXT", nullable: false, defaultValue: "")
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_System_Users", x => x.ID);
                });

            migrationBuilder.InsertData(
                table: "Hosting_VirtualServers",
                columns: new[] { "ID", "CreatedAt", "Enabled", "Name", "OwnerID", "UpdatedAt" },
                values: new object[] { 0L, "", true, "HOST", 0L, "" });

            migrationBuilder.CreateIndex(
                name: "idx_dc_parent",
                table: "Hosting_DockerContainers",
                column: "ParentServerID");

            migrationBuilder.CreateIndex(
                name: "idx_dn_vs",
                table: "Hosting_DomainNames",
                column: "VirtualServerID");

            migrationBuilder.CreateIndex(
                name: "seed_unique_Hosting_DomainNames_DomainName",
                table: "Hosting_DomainNames",
                column: "DomainName",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "idx_vs_deleted",
                table: "Hosting_VirtualServers",
                column: "Deleted");

            migrationBuilder.CreateIndex(
                name: "idx_vs_owner",
                table: "Hosting_VirtualServers",
                column: "OwnerID");

            migrationBuilder.CreateIndex(
                name: "idx_ra_time",
                table: "System_RecentActivity",
                column: "Time");

            migrationBuilder.CreateIndex(
                name: "seed_unique_System_RegistrationCodes_Code",
                table: "System_RegistrationCodes",
                column: "Code",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "seed_unique_System_RegistrationCodes_UserID",
                table: "System_RegistrationCodes",
                column: "UserID",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "seed_unique_System_Users_Email",
                table: "System_Users",
                column: "Email",
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "Hosting_DockerContainers");

            migrationBuilder.DropTable(
                name: "Hosting_DomainNames");

            migrationBuilder.DropTable(
                name: "Hosting_VirtualServers");

            migrationBuilder.DropTable(
                name: "System_RecentActivity");

            migrationBuilder.DropTable(
                name: "System_RegistrationCodes");

            migrationBuilder.DropTable(
                name: "System_Settings");

            migrationBuilder.DropTable(
                name: "System_Users");
        }
    }
}
