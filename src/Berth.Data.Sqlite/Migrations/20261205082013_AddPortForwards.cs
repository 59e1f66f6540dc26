using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Berth.Data.Sqlite.Migrations
{
    /// <inheritdoc />
    public partial class AddPortForwards : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "Hosting_PortForwards",
                columns: table => new
                {
                    ID = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    VirtualServerID = table.Column<long>(type: "INTEGER", nullable: false),
                    PublicPort = table.Column<int>(type: "INTEGER", nullable: false),
                    InternalPort = table.Column<int>(type: "INTEGER", nullable: false),
                    Protocol = table.Column<string>(type: "TEXT", nullable: false, defaultValue: "tcp"),
                    Description = table.Column<string>(type: "TEXT", nullable: false, defaultValue: ""),
                    CreatedAt = table.Column<string>(type: "TEXT", nullable: false),
                    UpdatedAt = table.Column<string>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_Hosting_PortForwards", x => x.ID);
                    table.ForeignKey(
                        name: "FK_Hosting_PortForwards_Hosting_VirtualServers_VirtualServerID",
                        column: x => x.VirtualServerID,
                        principalTable: "Hosting_VirtualServers",
                        principalColumn: "ID",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "System_UserForwardQuotas",
                columns: table => new
                {
                    UserID = table.Column<long>(type: "INTEGER", nullable: false),
                    MaxForwardsPerServer = table.Column<int>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_System_UserForwardQuotas", x => x.UserID);
                    table.ForeignKey(
                        name: "FK_System_UserForwardQuotas_System_Users_UserID",
                        column: x => x.UserID,
                        principalTable: "System_Users",
                        principalColumn: "ID",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "idx_pf_public_port",
                table: "Hosting_PortForwards",
                column: "PublicPort",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "idx_pf_vs",
                table: "Hosting_PortForwards",
                column: "VirtualServerID");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "Hosting_PortForwards");

            migrationBuilder.DropTable(
                name: "System_UserForwardQuotas");
        }
    }
}
