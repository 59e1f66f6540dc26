using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Berth.Data.PostgreSql.Migrations
{
    /// <inheritdoc />
    public partial class AddDomainOriginPulls : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "Hosting_DomainOptions",
                columns: table => new
                {
                    DomainID = table.Column<long>(type: "bigint", nullable: false),
                    OriginPulls = table.Column<bool>(type: "boolean", nullable: false, defaultValue: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_Hosting_DomainOptions", x => x.DomainID);
                    table.ForeignKey(
                        name: "FK_Hosting_DomainOptions_Hosting_DomainNames_DomainID",
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
                name: "Hosting_DomainOptions");
        }
    }
}
