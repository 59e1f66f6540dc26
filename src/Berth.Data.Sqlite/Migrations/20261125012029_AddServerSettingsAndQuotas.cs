using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Berth.Data.Sqlite.Migrations
{
    /// <inheritdoc />
    public partial class AddServerSettingsAndQuotas : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "Hosting_ServerSettings",
                columns: table => new
                {
                    ServerID = table.Column<long>(type: "INTEGER", nullable: false),
                    Cpus = table.Column<double>(type: "REAL", nullable: true),
                    MemoryMb = table.Column<long>(type: "INTEGER", nullable: true),
                    Pids = table.Column<long>(type: "INTEGER", nullable: true),
                    Provisioning = table.Column<int>(type: "INTEGER", nullable: false),
                    LastError = table.Column<string>(type: "TEXT", nullable: false, defaultValue: ""),
                    UpdatedAt = table.Column<string>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_Hosting_ServerSettings", x => x.ServerID);
                    table.ForeignKey(
                        name: "FK_Hosting_ServerSettings_Hosting_VirtualServers_ServerID",
                        column: x => x.ServerID,
                        principalTable: "Hosting_VirtualServers",
                        principalColumn: "ID",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "System_UserQuotas",
                columns: table => new
                {
                    UserID = table.Column<long>(type: "INTEGER", nullable: false),
                    MaxServers = table.Column<int>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_System_UserQuotas", x => x.UserID);
                    table.ForeignKey(
                        name: "FK_System_UserQuotas_System_Users_UserID",
                        column: x => x.UserID,
                        principalTable: "System_Users",
                        principalColumn: "ID",
                        onDelete: ReferentialAction.Cascade);
                });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "Hosting_ServerSettings");

            migrationBuilder.DropTable(
                name: "System_UserQuotas");
        }
    }
}
