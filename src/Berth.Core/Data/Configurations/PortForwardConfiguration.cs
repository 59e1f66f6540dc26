using Berth.Core.Accounts;
using Berth.Core.Forwards;
using Berth.Core.Servers;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Berth.Core.Data.Configurations;

internal sealed class PortForwardConfiguration : IEntityTypeConfiguration<PortForward>
{
    public void Configure(EntityTypeBuilder<PortForward> builder)
    {
        builder.ToTable("Hosting_PortForwards");
        builder.HasKey(f => f.Id);
        builder.Property(f => f.Id).HasColumnName("ID").ValueGeneratedOnAdd();
        builder.Property(f => f.VirtualServerId).HasColumnName("VirtualServerID").IsRequired();
        builder.Property(f => f.PublicPort).HasColumnName("PublicPort").IsRequired();
        builder.Property(f => f.InternalPort).HasColumnName("InternalPort").IsRequired();
        builder.Property(f => f.Protocol).HasColumnName("Protocol").IsRequired().HasDefaultValue(ForwardRules.Tcp);
        builder.Property(f => f.Description).HasColumnName("Description").IsRequired().HasDefaultValue("");
        builder.Property(f => f.ProxyProtocol).HasColumnName("ProxyProtocol").IsRequired().HasDefaultValue("off");
        builder.Property(f => f.CreatedAt).HasColumnName("CreatedAt").IsRequired();
        builder.Property(f => f.UpdatedAt).HasColumnName("UpdatedAt").IsRequired();
        // One forward per public port on the whole platform: the index has the last word in a race.
        builder.HasIndex(f => f.PublicPort).IsUnique().HasDatabaseName("idx_pf_public_port");
        builder.HasIndex(f => f.VirtualServerId).HasDatabaseName("idx_pf_vs");
        builder.HasOne<VirtualServer>().WithMany().HasForeignKey(f => f.VirtualServerId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class ForwardQuotaConfiguration : IEntityTypeConfiguration<ForwardQuota>
{
    public void Configure(EntityTypeBuilder<ForwardQuota> builder)
    {
        builder.ToTable("System_UserForwardQuotas");
        builder.HasKey(q => q.UserId);
        builder.Property(q => q.UserId).HasColumnName("UserID").ValueGeneratedNever();
        builder.Property(q => q.MaxForwardsPerServer).HasColumnName("MaxForwardsPerServer").IsRequired();
        builder.HasOne<User>().WithOne().HasForeignKey<ForwardQuota>(q => q.UserId).OnDelete(DeleteBehavior.Cascade);
    }
}
