using Berth.Core.Accounts;
using Berth.Core.Accounts.Tokens;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Berth.Core.Data.Configurations;

internal sealed class ApiTokenConfiguration : IEntityTypeConfiguration<ApiToken>
{
    public void Configure(EntityTypeBuilder<ApiToken> builder)
    {
        builder.ToTable("System_ApiTokens");
        builder.HasKey(t => t.Id);
        builder.Property(t => t.Id).HasColumnName("ID").ValueGeneratedOnAdd();
        builder.Property(t => t.UserId).HasColumnName("UserID").IsRequired();
        builder.Property(t => t.Name).HasColumnName("Name").IsRequired().HasMaxLength(ApiTokensService.MaxNameLength);
        builder.Property(t => t.TokenHash).HasColumnName("TokenHash").IsRequired().HasMaxLength(64);
        builder.Property(t => t.Prefix).HasColumnName("Prefix").IsRequired().HasMaxLength(16);
        builder.Property(t => t.Scopes).HasColumnName("Scopes").IsRequired();
        builder.Property(t => t.ServerIds).HasColumnName("ServerIDs");
        builder.Property(t => t.CreatedAt).HasColumnName("CreatedAt").IsRequired();
        builder.Property(t => t.ExpiresAt).HasColumnName("ExpiresAt");
        builder.Property(t => t.LastUsedAt).HasColumnName("LastUsedAt");
        builder.HasIndex(t => t.TokenHash).IsUnique().HasDatabaseName("idx_api_tokens_hash");
        builder.HasIndex(t => new { t.UserId, t.Name }).IsUnique().HasDatabaseName("idx_api_tokens_user_name");
        // A deleted user's tokens go with the user, even when the row is removed outside Berth.
        builder.HasOne<User>().WithMany().HasForeignKey(t => t.UserId).OnDelete(DeleteBehavior.Cascade);
    }
}
