using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Berth.Data.PostgreSql.Migrations
{
    /// <inheritdoc />
    public partial class AddDomainVerifications : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "Hosting_DomainVerifications",
                columns: table => new
                {
                    DomainID = table.Column<long>(type: "bigint", nullable: false),
                    DomainName = table.Column<string>(type: "text", nullable: false),
                    Status = table.Column<string>(type: "text", nullable: false, defaultValue: "pending"),
                    CheckedAt = table.Column<string>(type: "text", nullable: true),
                    LastError = table.Column<string>(type: "text", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_Hosting_DomainVerifications", x => x.DomainID);
                    table.ForeignKey(
                        name: "FK_Hosting_DomainVerifications_Hosting_DomainNames_DomainID",
                        column: x => x.DomainID,
                        principalTable: "Hosting_DomainNames",
                        principalColumn: "ID",
                        onDelete: ReferentialAction.Cascade);
                });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "Hosting_DomainVerifications");
        }
    }
}
