using Berth.Core.Accounts;
using Berth.Core.Servers;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Berth.Core.Data.Configurations;

internal sealed class UserQuotaConfiguration : IEntityTypeConfiguration<UserQuota>
{
    public void Configure(EntityTypeBuilder<UserQuota> builder)
    {
        builder.ToTable("System_UserQuotas");
        builder.HasKey(q => q.UserId);
        builder.Property(q => q.UserId).HasColumnName("UserID").ValueGeneratedNever();
        builder.Property(q => q.MaxServers).HasColumnName("MaxServers").IsRequired();
        builder.HasOne<User>().WithOne().HasForeignKey<UserQuota>(q => q.UserId).OnDelete(DeleteBehavior.Cascade);
    }
}
