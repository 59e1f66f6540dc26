using Berth.Core.Accounts;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Berth.Core.Data.Configurations;

internal sealed class SessionConfiguration : IEntityTypeConfiguration<Session>
{
    public void Configure(EntityTypeBuilder<Session> builder)
    {
        builder.ToTable("System_Sessions");
        builder.HasKey(s => s.Id);
        builder.Property(s => s.Id).HasColumnName("ID").ValueGeneratedOnAdd();
        builder.Property(s => s.TokenHash).HasColumnName("TokenHash").IsRequired().HasMaxLength(64);
        builder.Property(s => s.UserId).HasColumnName("UserID").IsRequired();
        builder.Property(s => s.CreatedAt).HasColumnName("CreatedAt").IsRequired();
        builder.Property(s => s.LastSeenAt).HasColumnName("LastSeenAt").IsRequired();
        builder.Property(s => s.ExpiresAt).HasColumnName("ExpiresAt").IsRequired();
        builder.Property(s => s.ClientAddress).HasColumnName("ClientAddress").IsRequired().HasDefaultValue("");
        builder.HasIndex(s => s.TokenHash).IsUnique().HasDatabaseName("idx_sessions_token");
        builder.HasIndex(s => s.UserId).HasDatabaseName("idx_sessions_user");
        // A deleted user's sessions go with the user, even when the row is removed outside Berth.
        builder.HasOne<User>().WithMany().HasForeignKey(s => s.UserId).OnDelete(DeleteBehavior.Cascade);
    }
}
