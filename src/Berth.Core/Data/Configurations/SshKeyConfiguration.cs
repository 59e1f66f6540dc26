using Berth.Core.Accounts;
using Berth.Core.Ssh;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Berth.Core.Data.Configurations;

internal sealed class SshKeyConfiguration : IEntityTypeConfiguration<SshKey>
{
    public void Configure(EntityTypeBuilder<SshKey> builder)
    {
        builder.ToTable("System_SshKeys");
        builder.HasKey(k => k.Id);
        builder.Property(k => k.Id).HasColumnName("ID").ValueGeneratedOnAdd();
        builder.Property(k => k.UserId).HasColumnName("UserID").IsRequired();
        builder.Property(k => k.Name).HasColumnName("Name").IsRequired();
        builder.Property(k => k.KeyType).HasColumnName("KeyType").IsRequired();
        builder.Property(k => k.PublicKey).HasColumnName("PublicKey").IsRequired();
        builder.Property(k => k.Fingerprint).HasColumnName("Fingerprint").IsRequired();
        builder.Property(k => k.CreatedAt).HasColumnName("CreatedAt").IsRequired();
        builder.Property(k => k.LastUsedAt).HasColumnName("LastUsedAt").IsRequired().HasDefaultValue("");
        // The same key twice in one account is refused; the index has the last word in a race.
        builder.HasIndex(k => new { k.UserId, k.Fingerprint }).IsUnique().HasDatabaseName("idx_sshkeys_user_fp");
        // The SSH entry looks a presented key up by its fingerprint.
        builder.HasIndex(k => k.Fingerprint).HasDatabaseName("idx_sshkeys_fp");
        builder.HasOne<User>().WithMany().HasForeignKey(k => k.UserId).OnDelete(DeleteBehavior.Cascade);
    }
}
