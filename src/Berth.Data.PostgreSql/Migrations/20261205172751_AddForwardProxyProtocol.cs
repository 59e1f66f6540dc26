using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Berth.Data.PostgreSql.Migrations
{
    /// <inheritdoc />
    public partial class AddForwardProxyProtocol : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "ProxyProtocol",
                table: "Hosting_PortForwards",
                type: "text",
                nullable: false,
                defaultValue: "off");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "ProxyProtocol",
                table: "Hosting_PortForwards");
        }
    }
}
